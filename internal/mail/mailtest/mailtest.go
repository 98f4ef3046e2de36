// Package mailtest runs real SMTP servers on loopback for tests, built on
// github.com/emersion/go-smtp: STARTTLS or implicit TLS with a self-signed
// certificate made for the test, AUTH PLAIN and LOGIN, and replies that
// refuse a mail or never come. Tests read what arrived.
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLS modes of a Server.
const (
	StartTLS = "starttls" // offer STARTTLS (the default)
	Implicit = "tls"      // TLS from the first byte
	NoTLS    = "none"     // plain text only; no STARTTLS offered
)

// Options shape a Server.
type Options struct {
	TLS string // StartTLS (""), Implicit or NoTLS
	// Username and Password, when set, are required: MAIL before AUTH is
	// refused with 530. AUTH needs TLS unless TLS is NoTLS.
	Username, Password string
	// Mechanisms offered for AUTH: sasl.Plain and/or sasl.Login. Default PLAIN.
	Mechanisms []string
	// SMTPUTF8 advertises the SMTPUTF8 extension.
	SMTPUTF8 bool
	// RejectRcpt, when set, is the answer to every RCPT TO.
	RejectRcpt *smtp.SMTPError
	// RejectData, when set, is the answer to every mail after DATA.
	RejectData *smtp.SMTPError
	// HangData makes the server read the mail and then never answer.
	HangData bool
}

// Received is a mail that arrived.
type Received struct {
	From   string
	To     []string
	Data   []byte // the message as the server got it, dot-unstuffed
	TLS    bool   // the mail came over TLS
	AuthAs string // the user the client authenticated as, if any
}

// Server is a running SMTP server on 127.0.0.1. It stops when the test ends.
type Server struct {
	Host string // "127.0.0.1"
	Port int
	// RootCAs trusts the server's certificate (for a client's tls.Config).
	RootCAs *x509.CertPool

	opts Options
	srv  *smtp.Server
	hang chan struct{}

	mu        sync.Mutex
	received  []Received
	authTries int
}

// Start starts a server with opts.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.TLS == "" {
		opts.TLS = StartTLS
	}
	if len(opts.Mechanisms) == 0 {
		opts.Mechanisms = []string{sasl.Plain}
	}
	cert, pool := Certificate(t)
	s := &Server{Host: "127.0.0.1", RootCAs: pool, opts: opts, hang: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, c: c}, nil
	}))
	s.srv.Domain = "mailtest.localhost"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.MaxRecipients = 10
	s.srv.EnableSMTPUTF8 = opts.SMTPUTF8
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	switch opts.TLS {
	case StartTLS, Implicit:
		s.srv.TLSConfig = tlsConfig
	case NoTLS:
		s.srv.AllowInsecureAuth = true
	default:
		t.Fatalf("mailtest: unknown TLS mode %q", opts.TLS)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	if opts.TLS == Implicit {
		ln = tls.NewListener(ln, tlsConfig)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		close(s.hang)
		s.srv.Close()
		// Close may run before Serve has taken the listener (a test that
		// never connected): close it too, or Serve would wait for ever.
		ln.Close()
		<-done
	})
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// ClientTLS is a client TLS configuration that trusts the server.
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}
}

// Received returns the mails that arrived so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// AuthTries is how many times a client tried to authenticate.
func (s *Server) AuthTries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authTries
}

type session struct {
	s      *Server
	c      *smtp.Conn
	authAs string
	from   string
	to     []string
}

func (se *session) AuthMechanisms() []string { return se.s.opts.Mechanisms }

func (se *session) Auth(mech string) (sasl.Server, error) {
	se.s.mu.Lock()
	se.s.authTries++
	se.s.mu.Unlock()
	check := func(user, pass string) error {
		if se.s.opts.Username == "" || user != se.s.opts.Username || pass != se.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		se.authAs = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, user, pass string) error {
			if identity != "" && identity != user {
				return errors.New("identity and user differ")
			}
			return check(user, pass)
		}), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, errors.New("unsupported mechanism")
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.opts.Username != "" && se.authAs == "" {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if se.s.opts.RejectRcpt != nil {
		return se.s.opts.RejectRcpt
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if se.s.opts.HangData {
		<-se.s.hang
		return errors.New("stopped")
	}
	if se.s.opts.RejectData != nil {
		return se.s.opts.RejectData
	}
	_, isTLS := se.c.TLSConnectionState()
	se.s.mu.Lock()
	se.s.received = append(se.s.received, Received{From: se.from, To: se.to, Data: b, TLS: isTLS, AuthAs: se.authAs})
	se.s.mu.Unlock()
	return nil
}

func (se *session) Reset() { se.from, se.to = "", nil }

func (se *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if len(response) > 0 { // initial response: the username
			l.user = string(response)
			l.step = 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user = string(response)
		l.step = 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(response))
	}
}

// Certificate makes a self-signed certificate for 127.0.0.1, ::1 and
// localhost, valid for an hour, and a pool that trusts it.
func Certificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// Silent listens on 127.0.0.1 and accepts connections but never says a
// word: a server that hangs. It returns the port.
func Silent(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

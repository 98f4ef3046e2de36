// Package seal encrypts personal data and secrets in the application before
// they reach the database, so that a dump or a backup of the database holds
// nothing readable about any person.
//
// A Keyring holds data keys (AES-256-GCM, an authenticated cipher) and one
// index key (HMAC-SHA256, for exact-match look-ups of a value without
// storing it). The keys live in a key file outside the database (see
// Load and the README's "Keys"). The first data key seals; every key in the
// ring opens, so keys can be rotated: add a new first key (Rotate), reseal
// what is stored (store.Reseal), then drop the old key (Retire).
//
// A sealed value is text: "s1." + key id + "." + base64url(nonce‖ciphertext).
// Each value is sealed with a context (the table, column and row it belongs
// to) as additional data, so a sealed value copied into another row or
// column does not open there.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Errors of Open.
var (
	ErrNotSealed  = errors.New("seal: not a sealed value")
	ErrUnknownKey = errors.New("seal: sealed with a key that is not in the key file")
	ErrCorrupt    = errors.New("seal: the sealed value does not open (changed, or moved from another row)")
)

const (
	prefix  = "s1."
	keySize = 32
)

type dataKey struct {
	id   string
	raw  []byte
	aead cipher.AEAD
}

// Keyring is a set of data keys (the first seals) and an index key.
type Keyring struct {
	keys  []dataKey
	index []byte
}

// Generate returns a new keyring with one random data key and a random
// index key.
func Generate() *Keyring {
	k := &Keyring{index: random(keySize)}
	k.keys = []dataKey{mustKey(newKeyID(), random(keySize))}
	return k
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return b
}

func newKeyID() string { return "k" + hex.EncodeToString(random(4)) }

func mustKey(id string, raw []byte) dataKey {
	k, err := newDataKey(id, raw)
	if err != nil {
		panic(err)
	}
	return k
}

func newDataKey(id string, raw []byte) (dataKey, error) {
	if len(raw) != keySize {
		return dataKey{}, fmt.Errorf("key %s: %d bytes, want %d", id, len(raw), keySize)
	}
	b, err := aes.NewCipher(raw)
	if err != nil {
		return dataKey{}, err
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return dataKey{}, err
	}
	return dataKey{id: id, raw: raw, aead: g}, nil
}

// Primary is the id of the key that seals.
func (k *Keyring) Primary() string { return k.keys[0].id }

// KeyIDs lists the ids of the data keys, the sealing one first.
func (k *Keyring) KeyIDs() []string {
	ids := make([]string, len(k.keys))
	for i, d := range k.keys {
		ids[i] = d.id
	}
	return ids
}

// Seal encrypts plain with the primary key, bound to context.
func (k *Keyring) Seal(plain []byte, context string) string {
	d := k.keys[0]
	nonce := random(d.aead.NonceSize())
	out := d.aead.Seal(nonce, nonce, plain, []byte(context))
	return prefix + d.id + "." + base64.RawURLEncoding.EncodeToString(out)
}

// SealString is Seal for text.
func (k *Keyring) SealString(plain, context string) string {
	return k.Seal([]byte(plain), context)
}

// IsSealed reports whether s has the form of a sealed value.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// KeyOf returns the id of the key s was sealed with ("" if s is not sealed).
func KeyOf(s string) string {
	if !IsSealed(s) {
		return ""
	}
	id, _, ok := strings.Cut(s[len(prefix):], ".")
	if !ok {
		return ""
	}
	return id
}

// Open decrypts a sealed value with the key it names, checking context.
func (k *Keyring) Open(sealed, context string) ([]byte, error) {
	if !IsSealed(sealed) {
		return nil, ErrNotSealed
	}
	id, body, ok := strings.Cut(sealed[len(prefix):], ".")
	if !ok {
		return nil, ErrNotSealed
	}
	i := slices.IndexFunc(k.keys, func(d dataKey) bool { return d.id == id })
	if i < 0 {
		return nil, fmt.Errorf("%w (%s)", ErrUnknownKey, id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	d := k.keys[i]
	n := d.aead.NonceSize()
	if err != nil || len(raw) < n+d.aead.Overhead() {
		return nil, ErrCorrupt
	}
	plain, err := d.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// OpenString is Open for text.
func (k *Keyring) OpenString(sealed, context string) (string, error) {
	b, err := k.Open(sealed, context)
	return string(b), err
}

// Index is a keyed hash (HMAC-SHA256 with the index key) of value for an
// exact-match look-up: the same purpose and value give the same index,
// and the index tells nothing about the value without the key. purpose
// keeps indexes of different kinds of values apart ("phone", "email").
func (k *Keyring) Index(purpose, value string) string {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// Rotate returns a keyring with a new random primary key before the
// existing ones (which still open what they sealed). The index key stays.
func (k *Keyring) Rotate() *Keyring {
	n := &Keyring{index: k.index}
	n.keys = append([]dataKey{mustKey(newKeyID(), random(keySize))}, k.keys...)
	return n
}

// Retire returns a keyring without the key id; the primary key cannot be
// retired. Values still sealed with a retired key no longer open: reseal
// first.
func (k *Keyring) Retire(id string) (*Keyring, error) {
	if id == k.Primary() {
		return nil, errors.New("the sealing (first) key cannot be retired; rotate first")
	}
	i := slices.IndexFunc(k.keys, func(d dataKey) bool { return d.id == id })
	if i < 0 {
		return nil, fmt.Errorf("no key %q in the key file", id)
	}
	n := &Keyring{index: k.index, keys: slices.Clone(k.keys)}
	n.keys = slices.Delete(n.keys, i, i+1)
	return n, nil
}

// Marshal writes the keyring in the key-file format:
//
//	# comment
//	index <base64 of 32 bytes>
//	key <id> <base64 of 32 bytes>     (the first key line seals)
func (k *Keyring) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# fellesrom keys. Keep this file secret, outside the database and its backups,\n")
	b.WriteString("# and back it up on its own: without it no sealed value can be read.\n")
	b.WriteString("# The first key line seals; every key line opens. See the README, \"Keys\".\n")
	fmt.Fprintf(&b, "index %s\n", base64.StdEncoding.EncodeToString(k.index))
	for _, d := range k.keys {
		fmt.Fprintf(&b, "key %s %s\n", d.id, base64.StdEncoding.EncodeToString(d.raw))
	}
	return b.Bytes()
}

// Parse reads the key-file format written by Marshal.
func Parse(data []byte) (*Keyring, error) {
	k := &Keyring{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		bad := func(why string) error { return fmt.Errorf("key file line %d: %s", n+1, why) }
		switch {
		case f[0] == "index" && len(f) == 2:
			if k.index != nil {
				return nil, bad("a second index key")
			}
			raw, err := base64.StdEncoding.DecodeString(f[1])
			if err != nil || len(raw) != keySize {
				return nil, bad("the index key is not 32 bytes in base64")
			}
			k.index = raw
		case f[0] == "key" && len(f) == 3:
			if slices.ContainsFunc(k.keys, func(d dataKey) bool { return d.id == f[1] }) {
				return nil, bad("key id " + f[1] + " twice")
			}
			if strings.Contains(f[1], ".") {
				return nil, bad("a key id cannot contain a dot")
			}
			raw, err := base64.StdEncoding.DecodeString(f[2])
			if err != nil {
				return nil, bad("the key is not base64")
			}
			d, err := newDataKey(f[1], raw)
			if err != nil {
				return nil, bad(err.Error())
			}
			k.keys = append(k.keys, d)
		default:
			return nil, bad("want \"index <base64>\" or \"key <id> <base64>\"")
		}
	}
	if k.index == nil || len(k.keys) == 0 {
		return nil, errors.New("the key file needs an index line and at least one key line")
	}
	return k, nil
}

// Load reads the key file at path. The file must not be readable by
// others than its owner.
func Load(path string) (*Keyring, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreate loads the key file at path, or makes a new one (mode 0600)
// if there is none; created says which.
func LoadOrCreate(path string) (k *Keyring, created bool, err error) {
	k, err = Load(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return k, false, err
	}
	k = Generate()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process made it first
			k, err = Load(path)
			return k, false, err
		}
		return nil, false, err
	}
	if _, err := f.Write(k.Marshal()); err != nil {
		f.Close()
		return nil, false, err
	}
	return k, true, f.Close()
}

// Save writes k to path atomically (a new file renamed over the old),
// mode 0600.
func (k *Keyring) Save(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(k.Marshal()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

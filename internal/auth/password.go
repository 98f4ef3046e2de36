package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are the parameters of argon2id. Every hash carries its own (in
// its PHC string), so they can change: a sign-in with a hash made with
// other parameters than the current ones stores a new hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are for a small server with two cores: 64 MiB, 3 passes,
// 2 lanes. Measured on the project's 2-core Xeon: 56–61 ms a hash when the
// machine is otherwise idle, 130–137 ms while other work holds the cores,
// about 200 ms for the first hash of a process (fresh memory). At most
// hashSlots hashes run at once, so a sign-in flood cannot take more than
// hashSlots × 64 MiB of memory.
var DefaultParams = Params{Memory: 64 << 10, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// hashSlots bounds the argon2 computations that run at the same time.
var hashSlots = make(chan struct{}, max(2, runtime.NumCPU()))

func (p Params) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
}

func (p Params) key(password string, salt []byte, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, keyLen)
}

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of the password (in Unicode NFC)
// as a PHC string: $argon2id$v=19$m=65536,t=3,p=2$salt$hash.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := p.key(password, salt, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$%s$%s$%s", argon2.Version, p, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: not an argon2id hash this program can check")

// parseHash reads a PHC string, refusing parameters no sane hash has (a
// hash from the database must not make a sign-in take a gigabyte).
func parseHash(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return Params{}, nil, nil, errBadHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.String() != parts[3] {
		return Params{}, nil, nil, errBadHash
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(key) < 16 || len(key) > 64 ||
		p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 20 || p.Threads < 1 || p.Threads > 16 {
		return Params{}, nil, nil, errBadHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// VerifyPassword checks a password against a PHC string in constant time.
// rehash is true when the password is right and the hash was made with
// other parameters than current: the caller then stores a new hash.
func VerifyPassword(password, encoded string, current Params) (ok, rehash bool, err error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := p.key(password, salt, p.KeyLen)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	rehash = p.Memory != current.Memory || p.Time != current.Time || p.Threads != current.Threads ||
		p.KeyLen != current.KeyLen || p.SaltLen != current.SaltLen
	return true, rehash, nil
}

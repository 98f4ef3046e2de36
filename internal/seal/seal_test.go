package seal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k := Generate()
	const secret = "Kari Nordmann, 912 34 567"
	a := k.SealString(secret, "enquiries.name:1")
	b := k.SealString(secret, "enquiries.name:1")
	if a == b {
		t.Error("the same value sealed twice gave the same text (no random nonce)")
	}
	for _, s := range []string{a, b} {
		if strings.Contains(s, "Kari") || !IsSealed(s) || KeyOf(s) != k.Primary() {
			t.Errorf("sealed form %q", s)
		}
		got, err := k.OpenString(s, "enquiries.name:1")
		if err != nil || got != secret {
			t.Errorf("Open = %q, %v", got, err)
		}
	}
	// Moved to another row or column: does not open.
	if _, err := k.OpenString(a, "enquiries.name:2"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("other context: %v", err)
	}
	// Changed: does not open.
	bad := []byte(a)
	bad[len(bad)-3] ^= 1
	if _, err := k.OpenString(string(bad), "enquiries.name:1"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("changed: %v", err)
	}
	for _, s := range []string{"", "plain", "s1.", "s1.kzz", "s1." + k.Primary() + ".!!", "s1." + k.Primary() + ".AAAA"} {
		if _, err := k.OpenString(s, "x"); err == nil {
			t.Errorf("Open(%q) opened", s)
		}
	}
	// A keyring without the key says so.
	if _, err := Generate().OpenString(a, "enquiries.name:1"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("other keyring: %v", err)
	}
}

func TestRotateRetire(t *testing.T) {
	k := Generate()
	old := k.SealString("sekret", "c")
	r := k.Rotate()
	if r.Primary() == k.Primary() || len(r.KeyIDs()) != 2 || r.KeyIDs()[1] != k.Primary() {
		t.Fatalf("rotate: %v after %v", r.KeyIDs(), k.KeyIDs())
	}
	if got, err := r.OpenString(old, "c"); err != nil || got != "sekret" {
		t.Errorf("old value after rotation: %q %v", got, err)
	}
	fresh := r.SealString("sekret", "c")
	if KeyOf(fresh) != r.Primary() {
		t.Errorf("sealed with %s, want %s", KeyOf(fresh), r.Primary())
	}
	if r.Index("phone", "+4791234567") != k.Index("phone", "+4791234567") {
		t.Error("rotation changed the index key")
	}
	if _, err := r.Retire(r.Primary()); err == nil {
		t.Error("retired the sealing key")
	}
	done, err := r.Retire(k.Primary())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := done.OpenString(old, "c"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("value of a retired key: %v", err)
	}
	if got, err := done.OpenString(fresh, "c"); err != nil || got != "sekret" {
		t.Errorf("value of the new key after retiring the old: %v", err)
	}
}

func TestIndex(t *testing.T) {
	k := Generate()
	a := k.Index("phone", "+4791234567")
	if a != k.Index("phone", "+4791234567") || a == k.Index("email", "+4791234567") || a == k.Index("phone", "+4791234568") {
		t.Error("index is not a function of purpose and value alone")
	}
	if a == Generate().Index("phone", "+4791234567") || strings.Contains(a, "91234567") {
		t.Error("index does not depend on the key")
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "fellesrom.keys")
	k, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	s := k.SealString("x", "c")
	again, created, err := LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("load: %v %v", created, err)
	}
	if got, err := again.OpenString(s, "c"); err != nil || got != "x" {
		t.Errorf("reloaded ring: %v", err)
	}
	r := again.Rotate()
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil || back.Primary() != r.Primary() || len(back.KeyIDs()) != 2 {
		t.Fatalf("saved rotation: %v %v", back, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after save %v", fi.Mode().Perm())
	}
	os.Chmod(path, 0o644)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key file loaded: %v", err)
	}
	k32 := strings.Repeat("A", 43) + "="
	if _, err := Parse([]byte("index " + k32 + "\nkey k1 " + k32 + "\n")); err != nil {
		t.Fatalf("a good key file: %v", err)
	}
	for _, bad := range []string{
		"", "index AAAA\n", "key k1 " + k32 + "\n",
		"index " + k32 + "\nkey k1 short\n",
		"index " + k32 + "\nkey k.1 " + k32 + "\n",
		"index " + k32 + "\nkey k1 " + k32 + "\nkey k1 " + k32 + "\n",
		"nonsense\n",
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

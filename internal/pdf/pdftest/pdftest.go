// Package pdftest reads PDF documents back as text in tests, with
// pdftotext (Debian: poppler-utils; scripts/setup-test-deps installs it).
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// ToText is the text of a PDF as pdftotext reads it. Without pdftotext the
// test is skipped with a message saying what to install, unless CI=true:
// then it fails, so that CI never passes without reading the PDF.
func ToText(t testing.TB, b []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing (Debian: poppler-utils; scripts/setup-test-deps installs it)")
		}
		t.Skip("pdftotext is missing: install poppler-utils (scripts/setup-test-deps) to read the PDF back")
	}
	cmd := exec.Command(bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(b)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errb.String())
	}
	if errb.Len() > 0 {
		t.Errorf("pdftotext complains: %s", errb.String())
	}
	return out.String()
}

package ical

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// maxLine is the longest line RFC 5545 (3.1) allows, in octets, without the
// CRLF; a continuation line spends one of them on its leading space.
const maxLine = 75

// lineWriter writes content lines: folded at 75 octets, never inside a UTF-8
// sequence, each ended by CRLF. It keeps the first error and counts octets.
type lineWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func newLineWriter(w io.Writer) *lineWriter {
	return &lineWriter{w: bufio.NewWriterSize(w, 32<<10)}
}

// line writes one content line, folding it.
func (lw *lineWriter) line(s string) {
	if lw.err != nil {
		return
	}
	limit := maxLine
	for {
		if len(s) <= limit {
			lw.write(s)
			lw.write("\r\n")
			return
		}
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		lw.write(s[:cut])
		lw.write("\r\n ")
		s = s[cut:]
		limit = maxLine - 1
	}
}

func (lw *lineWriter) write(s string) {
	if lw.err != nil {
		return
	}
	n, err := lw.w.WriteString(s)
	lw.n += int64(n)
	lw.err = err
}

func (lw *lineWriter) flush() error {
	if lw.err == nil {
		lw.err = lw.w.Flush()
	}
	return lw.err
}

// clean makes s fit for a TEXT value or a parameter: valid UTF-8, every line
// break a plain "\n", and no control characters but tab and newline (RFC 5545
// allows none other in TEXT).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and newline.
func escapeText(s string) string {
	s = clean(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// paramValue encodes a parameter value: RFC 6868 caret escapes for the
// characters a parameter cannot hold (newline, double quote, and the caret
// itself), and double quotes around a value with a colon, semicolon or comma.
func paramValue(s string) string {
	s = strings.ReplaceAll(clean(s), "\t", " ")
	var b strings.Builder
	quote := strings.ContainsAny(s, ":;,")
	if quote {
		b.WriteByte('"')
	}
	for _, r := range s {
		switch r {
		case '^':
			b.WriteString("^^")
		case '\n':
			b.WriteString("^n")
		case '"':
			b.WriteString("^'")
		default:
			b.WriteRune(r)
		}
	}
	if quote {
		b.WriteByte('"')
	}
	return b.String()
}

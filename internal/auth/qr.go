package auth

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// QR is a QR code as an SVG path: Size modules a side (with the quiet zone
// of four modules included), and Path the dark modules, for
// <svg viewBox="0 0 Size Size"><path d="Path"/></svg>. Rendered on the
// server: no script, no image service.
type QR struct {
	Size int
	Path string
}

// NewQR encodes text (an otpauth:// URI) at error correction level M.
func NewQR(text string) (QR, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return QR{}, err
	}
	const quiet = 4
	var b strings.Builder
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < c.Size && c.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run
		}
	}
	return QR{Size: c.Size + 2*quiet, Path: b.String()}, nil
}

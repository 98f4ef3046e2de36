package pdf

import (
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// face is an embedded TrueType font (the Go fonts, BSD licensed): its
// file, and the glyph and width (in 1/1000 em) of every rune asked for.
type face struct {
	name     string // PostScript name in the PDF
	ttf      []byte
	f        *sfnt.Font
	mu       sync.Mutex
	buf      sfnt.Buffer
	glyphs   map[rune]glyph
	bbox     [4]int
	ascent   int
	descent  int // negative
	capH     int
	notdefW  int
	fallback rune // drawn for a rune the font lacks
}

type glyph struct {
	id    uint16
	width int // 1/1000 em
}

var (
	facesOnce sync.Once
	faces     [2]*face // regular, bold
	facesErr  error
)

const (
	regular = 0
	bold    = 1
)

func loadFaces() error {
	facesOnce.Do(func() {
		for i, src := range []struct {
			name string
			ttf  []byte
		}{{"GoRegular", goregular.TTF}, {"GoBold", gobold.TTF}} {
			f, err := sfnt.Parse(src.ttf)
			if err != nil {
				facesErr = fmt.Errorf("pdf: font %s: %w", src.name, err)
				return
			}
			fc := &face{name: src.name, ttf: src.ttf, f: f, glyphs: map[rune]glyph{}, fallback: '?'}
			ppem := fixed.I(1000)
			b, err := f.Bounds(&fc.buf, ppem, font.HintingNone)
			if err != nil {
				facesErr = err
				return
			}
			// sfnt's y axis points down; the PDF's up.
			fc.bbox = [4]int{b.Min.X.Round(), -b.Max.Y.Round(), b.Max.X.Round(), -b.Min.Y.Round()}
			m, err := f.Metrics(&fc.buf, ppem, font.HintingNone)
			if err != nil {
				facesErr = err
				return
			}
			fc.ascent, fc.descent, fc.capH = m.Ascent.Round(), -m.Descent.Round(), m.CapHeight.Round()
			adv, err := f.GlyphAdvance(&fc.buf, 0, ppem, font.HintingNone)
			if err != nil {
				facesErr = err
				return
			}
			fc.notdefW = adv.Round()
			faces[i] = fc
		}
	})
	return facesErr
}

// glyph is the glyph of r (the fallback's if the font has none).
func (fc *face) glyph(r rune) glyph {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if g, ok := fc.glyphs[r]; ok {
		return g
	}
	ppem := fixed.I(1000)
	x, err := fc.f.GlyphIndex(&fc.buf, r)
	if err != nil || x == 0 {
		if r == fc.fallback {
			return glyph{0, fc.notdefW}
		}
		fc.mu.Unlock()
		g := fc.glyph(fc.fallback)
		fc.mu.Lock()
		fc.glyphs[r] = g
		return g
	}
	adv, err := fc.f.GlyphAdvance(&fc.buf, x, ppem, font.HintingNone)
	if err != nil {
		adv = fixed.I(fc.notdefW)
	}
	g := glyph{uint16(x), adv.Round()}
	fc.glyphs[r] = g
	return g
}

// width is the width of s at size points.
func (fc *face) width(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		w += fc.glyph(r).width
	}
	return float64(w) * size / 1000
}

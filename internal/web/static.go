package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// asset is a file under /static/, served at a name with a hash of its
// content (site.3f2a1b9c0d.css), so that it can be cached for a year.
type asset struct {
	name   string // site.css
	hashed string // site.3f2a1b9c0d.css
	ctype  string
	body   []byte
}

type assets struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

func mustLoadAssets() *assets {
	a := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		as := &asset{name: name, hashed: strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext,
			ctype: mime.TypeByExtension(ext), body: body}
		switch ext {
		case ".css":
			as.ctype = "text/css; charset=utf-8"
		case ".js":
			as.ctype = "text/javascript; charset=utf-8"
		case ".svg":
			as.ctype = "image/svg+xml"
		}
		a.byName[name], a.byHashed[as.hashed] = as, as
		return nil
	})
	if err != nil {
		panic(err)
	}
	return a
}

// url is the path of an asset by its plain name; templates call it as
// {{asset "site.css"}}.
func (a *assets) url(name string) string {
	as, ok := a.byName[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + as.hashed
}

// static serves an asset by its hashed name; an old or unknown name is 404.
func (s *site) static(w http.ResponseWriter, r *http.Request, lang string) {
	as, ok := s.assets.byHashed[r.PathValue("file")]
	if !ok {
		s.notFound(w, r, lang)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(as.body)
}

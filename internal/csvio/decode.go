// Package csvio reads and writes the directory's groups and venues as CSV in
// the column layout documented in the README ("CSV import and export"), and
// plans an import as a dry run: row by row, what would be created, changed
// or rejected and why, before anything is written.
package csvio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits of one upload.
const (
	MaxBytes = 2 << 20 // 2 MB
	MaxRows  = 5000
)

// Errors of a file as a whole (the web layer names them from the catalogue).
var (
	ErrEmpty    = errors.New("csvio: the file is empty")
	ErrTooBig   = errors.New("csvio: the file is larger than 2 MB")
	ErrTooMany  = errors.New("csvio: the file has more than 5,000 rows")
	ErrEncoding = errors.New("csvio: the file is not UTF-8")
	ErrSyntax   = errors.New("csvio: the file is not CSV")
)

// Table is a decoded file: the header (normalised column names) and the
// rows, each with its line number in the file.
type Table struct {
	Header []string
	Rows   []Record
}

// Record is one row of a table.
type Record struct {
	Line   int
	Fields []string
}

// Get returns the cell of column name, and whether the file has that column.
func (t *Table) Get(r Record, name string) (string, bool) {
	for i, h := range t.Header {
		if h == name {
			if i < len(r.Fields) {
				return r.Fields[i], true
			}
			return "", true
		}
	}
	return "", false
}

// Has says whether the file has the column.
func (t *Table) Has(name string) bool {
	for _, h := range t.Header {
		if h == name {
			return true
		}
	}
	return false
}

// Decode reads a CSV file: UTF-8 with or without a byte order mark, commas
// or semicolons (guessed from the header line), quoted fields, LF or CRLF
// line endings. Empty lines are skipped. It never reads more than
// MaxBytes+1 bytes.
func Decode(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, ErrTooBig
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, ErrEncoding
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniff(data)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	t := &Table{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, ErrSyntax
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if t.Header == nil {
			for _, h := range rec {
				t.Header = append(t.Header, normColumn(h))
			}
			continue
		}
		if len(t.Rows) == MaxRows {
			return nil, ErrTooMany
		}
		for i := range rec {
			rec[i] = unguard(strings.TrimSpace(rec[i]))
		}
		t.Rows = append(t.Rows, Record{Line: line, Fields: rec})
	}
	if t.Header == nil {
		return nil, ErrEmpty
	}
	return t, nil
}

// sniff guesses the delimiter from the first line: a semicolon when it has
// more semicolons than commas outside quotes (Excel in Norway writes them).
func sniff(data []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			if semis > commas {
				return ';'
			}
			return ','
		case b == ',':
			commas++
		case b == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// normColumn turns a header cell into a column name: lower case, spaces and
// hyphens as underscores, and the Norwegian names of the columns mapped to
// the English ones.
func normColumn(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.NewReplacer(" ", "_", "-", "_").Replace(h)
	if a, ok := aliases[h]; ok {
		return a
	}
	return h
}

var aliases = map[string]string{
	"navn": "name", "beskrivelse": "description", "tema": "themes", "theme": "themes", "modell": "model",
	"språk": "languages", "language": "languages", "kommune": "municipality", "sted": "venue_name",
	"venue": "venue_name", "adresse": "street", "gateadresse": "street", "postnummer": "postal_code",
	"poststed": "city", "trinnfri": "step_free", "teleslynge": "hearing_loop", "hc_toalett": "accessible_toilet",
	"ukedag": "weekday", "klokkeslett": "time", "tid": "time", "varighet": "length", "lengde": "length",
	"hyppighet": "frequency", "første_møte": "first_date", "tar_nye": "takes_new_members",
	"tar_imot_nye": "takes_new_members", "kontakt": "contact", "ekstern_id": "external_id",
	"organisasjon": "organisation", "organization": "organisation", "adresse_offentlig": "address_public",
	"veibeskrivelse": "directions", "by": "city", "bredde": "lat", "lengdegrad": "lon", "breddegrad": "lat",
}

// unguard removes the apostrophe that the export puts before a cell a
// spreadsheet would read as a formula.
func unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		return s[1:]
	}
	return s
}

// guard keeps a spreadsheet from reading a cell as a formula.
func guard(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

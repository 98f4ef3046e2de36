package hsds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fellesrom/fellesrom/internal/store"
)

// FileOptions are the settings of `fellesrom import hsds <file>`, as typed.
type FileOptions struct {
	Kind         string // organization, service, location, service_at_location; "" guesses
	Model        string // the group model of new groups: ID or slug ("" when the file has no new services)
	Municipality string // municipality number of new venues and of groups without a venue
	Org          string // organisation (ID or slug) of services whose organization is unknown
}

// ImportFile imports an HSDS document from a file for the command line and
// says what it did on out.
func ImportFile(ctx context.Context, st *store.Store, path string, fo FileOptions, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxDocument+1))
	if err != nil {
		return err
	}
	kind := fo.Kind
	if kind == "" {
		if kind = GuessKind(data); kind == "" {
			return fmt.Errorf("%s: cannot tell what it holds; name it with --kind (organization, service, location, service_at_location)", path)
		}
	}
	opt := ImportOptions{MunicipalityID: fo.Municipality, By: "cli"}
	if fo.Model != "" {
		models, err := st.Models(ctx)
		if err != nil {
			return err
		}
		for _, m := range models {
			if m.ID == fo.Model || m.Slug == fo.Model {
				opt.ModelID = m.ID
			}
		}
		if opt.ModelID == "" {
			return fmt.Errorf("no group model %q", fo.Model)
		}
	}
	if fo.Org != "" {
		o, err := st.Organisation(ctx, fo.Org)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no organisation %q", fo.Org)
		}
		if err != nil {
			return err
		}
		opt.OrgID = o.ID
	}
	ctx = store.WithActor(ctx, store.Actor{ID: "cli"})
	res, err := Import(ctx, st, kind, data, opt)
	if err != nil {
		return fmt.Errorf("%s: nothing imported: %w", path, err)
	}
	fmt.Fprintf(out, "imported %s (%s): %d created, %d updated, %d unchanged\n", path, kind, res.Created, res.Updated, res.Unchanged)
	return nil
}

// GuessKind tells the kind of object an HSDS document (one object or a
// page) holds from the fields of its first object, "" if it cannot.
func GuessKind(data []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return ""
	}
	if c, ok := top["contents"]; ok {
		var list []map[string]json.RawMessage
		if json.Unmarshal(c, &list) != nil || len(list) == 0 {
			return ""
		}
		top = list[0]
	}
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("service") && has("location") || has("service_id") && has("location_id"):
		return "service_at_location"
	case has("location_type"):
		return "location"
	case has("status") || has("organization_id") || has("service_at_locations"):
		return "service"
	case has("name") && (has("description") || has("website") || has("services")):
		return "organization"
	}
	return ""
}

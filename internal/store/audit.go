package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log. Detail holds what is needed to
// understand the event — for a change to a public listing, the fields that
// changed — and never personal data of people who are not staff.
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorID    string // the staff user, "" for an anonymous or system event
	Action     string // "signin.ok", "signin.fail", "group.update", "enquiry.read", …
	ObjectType string
	ObjectID   string
	OrgID      string
	Source     string // the client's network, truncated (see SourceOf)
	Detail     map[string]any
}

type actorKey struct{}

// Actor is who does something through the store, carried in the context: a
// staff user's ID, or a name such as "system" or "demo".
type Actor struct {
	ID     string
	Source string
}

// WithActor returns a context whose store changes are recorded as done by a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorOf returns the actor of ctx ("system" when none is set).
func ActorOf(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{ID: "system"}
}

// SourceOf truncates a client address for the audit log: enough to see
// where an attack comes from (the /24 of IPv4, the /48 of IPv6), not enough
// to point at a person's device.
func SourceOf(remoteAddr string) string {
	host := remoteAddr
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		host = ap.Addr().String()
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// Audit writes an entry to the audit log.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return auditTx(ctx, tx, e) })
}

// auditTx writes an entry inside a transaction, so that a change and its
// audit entry commit together. Actor and source default to the context's.
func auditTx(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	if e.Action == "" {
		return errors.New("audit entry without an action")
	}
	a := ActorOf(ctx)
	if e.ActorID == "" {
		e.ActorID = a.ID
	}
	if e.Source == "" {
		e.Source = a.Source
	}
	if e.At.IsZero() {
		e.At = utcNow()
	}
	detail := "{}"
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		detail = string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, action, object_type, object_id,
		organisation_id, source, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.At.UTC(), e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.OrgID, e.Source, detail)
	return err
}

// AuditFilter selects audit entries. Empty fields match everything; Action
// matches a prefix ("signin." finds every sign-in event).
type AuditFilter struct {
	ActorID    string
	Action     string
	ObjectType string
	ObjectID   string
	OrgID      string
	From, To   time.Time
	BeforeID   int64 // for paging: entries older than this one
	Limit      int   // default 100, at most 1000
}

// AuditLog returns entries matching f, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.ActorID != "" {
		add("actor_id = $%d", f.ActorID)
	}
	if f.Action != "" {
		// A prefix match that needs no LIKE escaping: action >= p AND action < p+"\uffff".
		add("action >= $%d", f.Action)
		add("action < $%d", f.Action+"\uffff")
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if f.OrgID != "" {
		add("organisation_id = $%d", f.OrgID)
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UTC())
	}
	if f.BeforeID > 0 {
		add("id < $%d", f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	q := `SELECT id, at, actor_id, action, object_type, object_id, organisation_id, source, detail FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", f.Limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.Action, &e.ObjectType, &e.ObjectID, &e.OrgID, &e.Source, &detail); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// changes lists the exported fields that differ between two values of the
// same struct type, as field → [old, new], for the audit log of a change to
// a public listing. Timestamps the store sets itself are left out.
func changes(old, new any) map[string]any {
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(new)
	if ov.Kind() == reflect.Pointer {
		ov, nv = ov.Elem(), nv.Elem()
	}
	out := map[string]any{}
	t := ov.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "CreatedAt" || f.Name == "UpdatedAt" {
			continue
		}
		a, b := ov.Field(i).Interface(), nv.Field(i).Interface()
		if !equalJSON(a, b) {
			out[f.Name] = []any{a, b}
		}
	}
	return out
}

// equalJSON compares two values as they would be stored: a nil and an empty
// slice or map are the same.
func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return reflect.DeepEqual(a, b)
	}
	norm := func(s string) string {
		if s == "null" || s == "[]" || s == "{}" {
			return ""
		}
		return s
	}
	return norm(string(ja)) == norm(string(jb))
}

// auditChange records the creation (old == nil) or change of a public
// listing, with the fields that changed, in the transaction that made it.
// An update that changes nothing is not recorded.
func auditChange(ctx context.Context, tx *sql.Tx, objectType, id, orgID string, old, new any) error {
	e := AuditEntry{ObjectType: objectType, ObjectID: id, OrgID: orgID}
	if old == nil {
		e.Action = objectType + ".create"
	} else {
		c := changes(old, new)
		if len(c) == 0 {
			return nil
		}
		e.Action = objectType + ".update"
		e.Detail = map[string]any{"changed": c}
	}
	return auditTx(ctx, tx, e)
}

package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The private calendar feed of a room, and the room-use summary of a month.
//
// A room's feed shows when closed groups meet, so it is not public: its
// address carries a random token (32 bytes, base64url) that the house
// makes and can replace at any time (the old address stops working at
// once); the database keeps only the token's SHA-256. The feed's content
// is decided by the page (internal/web/rooms_feed.go).

// roomFeedToken returns a new random token and the hash the database keeps.
func roomFeedToken() (string, string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	t := base64.RawURLEncoding.EncodeToString(b)
	return t, roomFeedHash(t)
}

func roomFeedHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// RotateRoomFeed makes a new token for the room's feed, replacing the old
// one, and returns it (the only time it is seen). Audit row
// room_feed.rotate.
func (s *Store) RotateRoomFeed(ctx context.Context, roomID string, now time.Time) (string, error) {
	token, hash := roomFeedToken()
	now = now.UTC().Truncate(time.Microsecond)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		org, err := roomOrgTx(ctx, tx, roomID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM room_feeds WHERE room_id = $1`, roomID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_feeds (room_id, token_hash, created_by, created_at)
			VALUES ($1, $2, $3, $4)`, roomID, hash, ActorOf(ctx).ID, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "room_feed.rotate", ObjectType: "room", ObjectID: roomID, OrgID: org})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// StopRoomFeed removes the room's feed: no address opens it. Audit row
// room_feed.stop.
func (s *Store) StopRoomFeed(ctx context.Context, roomID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		org, err := roomOrgTx(ctx, tx, roomID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM room_feeds WHERE room_id = $1`, roomID); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "room_feed.stop", ObjectType: "room", ObjectID: roomID, OrgID: org})
	})
}

// RoomFeedMade is when the room's current feed token was made; zero when
// the room has no feed.
func (s *Store) RoomFeedMade(ctx context.Context, roomID string) (time.Time, error) {
	var t time.Time
	err := s.read.QueryRowContext(ctx, `SELECT created_at FROM room_feeds WHERE room_id = $1`, roomID).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return t.UTC(), err
}

// RoomFeedOpens reports whether token is the room's current feed token.
func (s *Store) RoomFeedOpens(ctx context.Context, roomID, token string) (bool, error) {
	if token == "" || len(token) > 100 {
		return false, nil
	}
	var hash string
	err := s.read.QueryRowContext(ctx, `SELECT token_hash FROM room_feeds WHERE room_id = $1`, roomID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(hash), []byte(roomFeedHash(token))) == 1, nil
}

// RoomUseLine is the use of one room by one group or organisation in a
// month: how many meetings and minutes.
type RoomUseLine struct {
	RoomID   string
	GroupID  string // a group's use
	OrgID    string // an organisation's (without a group)
	Holder   string // an outside organisation's
	Meetings int
	Minutes  int
}

// RoomUseMonth sums up the use of the rooms in a month ("2026-03", in the
// rooms' zone): for each room, each group, organisation or outside
// organisation that used it, the meetings and the minutes (a meeting that
// runs past the month's end counts up to it). Lines by room (in the order
// given), then most minutes first.
func (s *Store) RoomUseMonth(ctx context.Context, roomIDs []string, month string) ([]RoomUseLine, error) {
	from, to, err := MonthSpan(month)
	if err != nil {
		return nil, err
	}
	use, err := s.RoomUse(ctx, roomIDs, from, to)
	if err != nil {
		return nil, err
	}
	type key struct{ room, group, org, holder string }
	at := map[key]int{}
	var out []RoomUseLine
	for _, o := range use {
		k := key{o.RoomID, o.GroupID, "", ""}
		if o.GroupID == "" {
			k.org, k.holder = o.OrgID, o.Holder
			if k.org != "" {
				k.holder = ""
			}
		}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, RoomUseLine{RoomID: k.room, GroupID: k.group, OrgID: k.org, Holder: k.holder})
		}
		start, end := o.StartsAt, o.EndsAt
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		out[i].Meetings++
		out[i].Minutes += int(end.Sub(start).Minutes())
	}
	order := map[string]int{}
	for i, id := range roomIDs {
		if _, ok := order[id]; !ok {
			order[id] = i
		}
	}
	slices.SortStableFunc(out, func(a, b RoomUseLine) int {
		if c := order[a.RoomID] - order[b.RoomID]; c != 0 {
			return c
		}
		if c := b.Minutes - a.Minutes; c != 0 {
			return c
		}
		return strings.Compare(a.GroupID+a.OrgID+a.Holder, b.GroupID+b.OrgID+b.Holder)
	})
	return out, nil
}

// MonthSpan is the span of a month ("2026-03") in the rooms' zone, in UTC.
func MonthSpan(month string) (time.Time, time.Time, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, time.Time{}, fmt.Errorf("store: %q is not a month such as 2026-03", month)
	}
	loc := roomLoc()
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	return from.UTC(), from.AddDate(0, 1, 0).UTC(), nil
}

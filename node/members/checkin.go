package members

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hearth/node/problem"
	"hearth/store"
)

// CheckIn is one private check-in. It is sealed whole with the member's
// data key; the JSON form is what is sealed and what the member exports.
type CheckIn struct {
	// ID is set by AddCheckIn: 32 hex digits, ordered by At.
	ID string `json:"id"`
	// At is when the check-in was made; AddCheckIn sets it to now if zero.
	At time.Time `json:"at"`
	// Mood is 1 (very low) to 5 (very good).
	Mood int `json:"mood"`
	// Craving is 0 (none) to 10, or nil if the member did not say.
	Craving *int `json:"craving,omitempty"`
	// Used: the member used or slipped. Recorded without judgement.
	Used bool `json:"used"`
	// Triggers are short lower-case tags ("work", "lonely").
	Triggers []string `json:"triggers,omitempty"`
	// Meeting is the listing ID of a meeting attended, if any.
	Meeting string `json:"meeting,omitempty"`
	// Note is free text.
	Note string `json:"note,omitempty"`
	// Unsafe: the member says they are not safe; the page shows crisis
	// lines at once.
	Unsafe bool `json:"unsafe"`
}

// Limits on a check-in.
const (
	MaxNoteBytes  = 2048
	MaxTriggers   = 10
	MaxTriggerLen = 32  // characters: a tag is a word or two, not a note
	maxMeetingLen = 200 // characters
	// futureSlack allows for a phone or board whose clock runs ahead.
	futureSlack = 24 * time.Hour
)

// earliest is the earliest time a check-in or sober-since date may have:
// before it, the value is a mistake (and check-in IDs need a positive time).
var earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// What can be wrong with a check-in or a profile: each matches
// ErrInvalidCheckIn, and its key is what the member page says.
var (
	errNoMood       = problem.Define("checkin.nomood", "the mood is missing: give 1 (very bad) to 5 (very good)", ErrInvalidCheckIn)
	errMood         = problem.Define("checkin.badmood", "mood must be 1 to 5", ErrInvalidCheckIn)
	errCraving      = problem.Define("checkin.badcraving", "craving must be 0 to 10, or left out", ErrInvalidCheckIn)
	errLongNote     = problem.Define("checkin.longnote", fmt.Sprintf("the note is too long: at most %d bytes (about %d letters)", MaxNoteBytes, MaxNoteBytes/2), ErrInvalidCheckIn)
	errNoteText     = problem.Define("badform.text", "the note must be text", ErrInvalidCheckIn)
	errTriggerText  = problem.Define("badform.text", "a trigger must be plain words", ErrInvalidCheckIn)
	errLongTrigger  = problem.Define("checkin.longtrigger", "each trigger must be at most %d characters", ErrInvalidCheckIn)
	errManyTriggers = problem.Define("checkin.manytriggers", "at most %d triggers", ErrInvalidCheckIn)
	errMeetingText  = problem.Define("checkin.badmeeting", "the meeting must be a listing ID", ErrInvalidCheckIn)
	errLongMeeting  = problem.Define("checkin.badmeeting", fmt.Sprintf("the meeting ID must be at most %d characters", maxMeetingLen), ErrInvalidCheckIn)
	errFutureTime   = problem.Define("checkin.badtime", "the check-in time is in the future: check the clock", ErrInvalidCheckIn)
	errEarlyTime    = problem.Define("checkin.badtime", fmt.Sprintf("the check-in time is before %d: check the clock", earliest.Year()), ErrInvalidCheckIn)
	errFutureDate   = problem.Define("me.futuredate", "the sober-since date is after today", ErrInvalidCheckIn)
	errEarlyDate    = problem.Define("me.earlydate", fmt.Sprintf("the sober-since date is before %d", earliest.Year()), ErrInvalidCheckIn)
)

// Validate checks c as AddCheckIn will, for a caller that wants to know
// before it asks for the PIN. The error is a *problem.Error matching
// ErrInvalidCheckIn.
func (c CheckIn) Validate() error {
	_, err := c.normalize(time.Now())
	return err
}

// normalize checks c and returns the form that is stored: triggers
// trimmed, lower-cased and without repeats, At in UTC (now if zero).
func (c CheckIn) normalize(now time.Time) (CheckIn, error) {
	switch {
	case c.Mood == 0:
		return c, errNoMood
	case c.Mood < 1 || c.Mood > 5:
		return c, errMood
	}
	if c.Craving != nil {
		if *c.Craving < 0 || *c.Craving > 10 {
			return c, errCraving
		}
		v := *c.Craving // the caller's pointer is not kept
		c.Craving = &v
	}
	if len(c.Note) > MaxNoteBytes {
		return c, errLongNote
	}
	if !utf8.ValidString(c.Note) {
		return c, errNoteText
	}
	var triggers []string
	for _, t := range c.Triggers {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		switch {
		case t == "" || slices.Contains(triggers, t):
			continue
		case !utf8.ValidString(t) || strings.ContainsFunc(t, unicode.IsControl):
			return c, errTriggerText
		case utf8.RuneCountInString(t) > MaxTriggerLen:
			return c, errLongTrigger.With(MaxTriggerLen)
		}
		triggers = append(triggers, t)
	}
	if len(triggers) > MaxTriggers {
		return c, errManyTriggers.With(MaxTriggers)
	}
	c.Triggers = triggers
	c.Meeting = strings.TrimSpace(c.Meeting)
	if !utf8.ValidString(c.Meeting) || strings.ContainsFunc(c.Meeting, unicode.IsControl) {
		return c, errMeetingText
	}
	if utf8.RuneCountInString(c.Meeting) > maxMeetingLen {
		return c, errLongMeeting
	}
	if c.At.IsZero() {
		c.At = now
	}
	c.At = c.At.UTC()
	if c.At.After(now.Add(futureSlack)) {
		return c, errFutureTime
	}
	if c.At.Before(earliest) {
		return c, errEarlyTime
	}
	return c, nil
}

// newCheckInID makes a 16-byte ID that sorts by time: the check-in's time
// in milliseconds since 1900 (6 bytes, good for ~8900 years), then 10
// random bytes so IDs made in the same millisecond differ.
func newCheckInID(at time.Time) []byte {
	id := make([]byte, store.CheckInIDLen)
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()-earliest.UnixMilli()))
	copy(id, ms[2:])
	rand.Read(id[6:])
	return id
}

// idTime is the time a check-in ID was made for, to the millisecond.
func idTime(id []byte) time.Time {
	var ms [8]byte
	copy(ms[2:], id[:6])
	return time.UnixMilli(int64(binary.BigEndian.Uint64(ms[:])) + earliest.UnixMilli()).UTC()
}

func formatID(id []byte) string { return hex.EncodeToString(id) }

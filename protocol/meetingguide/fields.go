package meetingguide

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"hearth/protocol"
)

// dayNames are the English day names and abbreviations feeds write instead
// of the spec's 0-6.
var dayNames = map[string]int{
	"sunday": 0, "sun": 0,
	"monday": 1, "mon": 1,
	"tuesday": 2, "tue": 2, "tues": 2,
	"wednesday": 3, "wed": 3,
	"thursday": 4, "thu": 4, "thur": 4, "thurs": 4,
	"friday": 5, "fri": 5,
	"saturday": 6, "sat": 6,
}

// parseDays reads a feed's day: an integer, a numeric string, a day name, or
// an array of those. It returns the days sorted without repeats (nil when
// the day is missing or null) and whether the value was an array.
func parseDays(raw json.RawMessage) (days []int, array bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false, nil
	}
	if raw[0] != '[' {
		d, ok, err := parseDay(raw)
		if err != nil || !ok {
			return nil, false, err
		}
		return []int{d}, false, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, true, fmt.Errorf("day %q is not a list of days", clip(string(raw)))
	}
	for _, e := range elems {
		d, ok, err := parseDay(e)
		if err != nil {
			return nil, true, err
		}
		if ok && !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	return days, true, nil
}

// parseDay reads one day; ok is false for null or "".
func parseDay(raw json.RawMessage) (day int, ok bool, err error) {
	var t text
	if raw[0] != '"' && raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') && string(raw) != "null" {
		return 0, false, fmt.Errorf("day %q is not a day: use 0 (Sunday) to 6 (Saturday)", clip(string(raw)))
	}
	if err := t.UnmarshalJSON(raw); err != nil {
		return 0, false, err
	}
	s := string(t)
	if s == "" {
		return 0, false, nil
	}
	if d, ok := dayNames[strings.TrimSuffix(strings.ToLower(s), ".")]; ok {
		return d, true, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > 6 {
		return 0, false, fmt.Errorf("day %q is not a day: use 0 (Sunday) to 6 (Saturday)", clip(s))
	}
	return int(f), true, nil
}

var clockPattern = regexp.MustCompile(`^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$`)

// parseClock reads a feed's time ("19:30", "19:30:00", "7:30", "7:30 pm")
// as the spec's "HH:MM". Seconds are dropped: meetings start on the minute.
func parseClock(s string) (string, error) {
	m := clockPattern.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return "", fmt.Errorf("%q is not a time: use HH:MM, 24-hour, such as 19:30", clip(s))
	}
	h, _ := strconv.Atoi(m[1])
	minute, _ := strconv.Atoi(m[2])
	sec := 0
	if m[3] != "" {
		sec, _ = strconv.Atoi(m[3])
	}
	if suffix := m[4]; suffix != "" {
		if h < 1 || h > 12 {
			return "", fmt.Errorf("%q is not a time: the hour of a.m./p.m. time is 1 to 12", clip(s))
		}
		h %= 12
		if suffix[0] == 'p' {
			h += 12
		}
	}
	if h > 23 || minute > 59 || sec > 59 {
		return "", fmt.Errorf("%q is not a time: use HH:MM, 24-hour, such as 19:30", clip(s))
	}
	return fmt.Sprintf("%02d:%02d", h, minute), nil
}

// updatedLayouts are the date formats feeds write "updated" in, the spec's
// first, grouped by their separator so a date is tried only against layouts
// it could match. Slash dates are read month first, as the US feeds that use
// them write them (aasanjose.json: "9/6/2021"); day first is tried after, so
// a date such as "29/8/2021" still reads.
var updatedLayouts = map[bool][]string{
	false: {
		"2006-01-02 15:04:05",
		time.RFC3339,
		"2006-01-02T15:04:05",
		"2006-01-02 15:04",
		"2006-01-02",
	},
	true: {
		"1/2/2006",
		"1/2/2006 15:04:05",
		"1/2/2006 15:04",
		"1/2/2006 3:04 PM",
		"1/2/2006 3:04PM",
		"2/1/2006",
		"2/1/2006 15:04:05",
		"2/1/2006 15:04",
	},
}

// normalizeUpdated rewrites a feed's "updated" date in the spec's format,
// "YYYY-MM-DD HH:MM:SS" in UTC, the form Listing.Updated promises.
func normalizeUpdated(s string) (string, bool) {
	for _, layout := range updatedLayouts[strings.Contains(s, "/")] {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format("2006-01-02 15:04:05"), true
		}
	}
	return "", false
}

// parseCoordinate reads a latitude or longitude given as a number or a
// string; ok is false when it is missing, unreadable or not finite.
func parseCoordinate(s string) (v float64, ok bool) {
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// parseApproximate reads the spec's "yes"/"no" and the booleans feeds write
// instead.
func parseApproximate(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	if raw[0] != '"' {
		return string(raw) == "true" || string(raw) == "1"
	}
	var t text
	if t.UnmarshalJSON(raw) != nil {
		return false
	}
	switch strings.ToLower(string(t)) {
	case "yes", "true", "1", "y":
		return true
	}
	return false
}

// ParseAttendance reads a way of attending as people and feeds write it
// (TSML's attendance_option, a finder's filter), in any case, with "-" or
// " " for "_": "In Person" and "in-person" are "in_person". ok is false for
// a value that is not one of protocol.Attendances.
func ParseAttendance(s string) (string, bool) {
	v := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(protocol.Attendances, v) {
		return v, true
	}
	return "", false
}

// clip shortens a value quoted in a reason so a reason stays one short line.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

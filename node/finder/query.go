package finder

import (
	"fmt"
	"strconv"
	"time"

	"hearth/protocol"
)

// Query is what a member or operator asks for. The zero Query asks for every
// meeting that is not cancelled, in "next occurrence" order. Its JSON, which
// the CLI sends a running node, is written in the query language (see
// ParseQuery): the same names and words as URL parameters and flags.
type Query struct {
	// Day keeps meetings on this day. A weekday is as each meeting states
	// it, in its own zone. Today and Tomorrow are the hub's (the index's
	// zone, see NewWithDefault), the one rule for "today" everywhere:
	// Today keeps the meetings on now and those starting before the
	// hub's midnight; Tomorrow those starting during the hub's next day,
	// whatever zone each meeting keeps its clock in. Meetings by
	// appointment, and those not meeting for now (Inactive), are on no
	// day of these two.
	Day *Day `json:"day,omitempty"`
	// Window keeps meetings starting in a part of the day, by the start time
	// in the meeting's own zone; half-open ranges:
	//
	//	morning  05:00–12:00
	//	midday   12:00–17:00 ("afternoon" is the same)
	//	evening  17:00–21:00
	//	night    21:00–05:00
	//
	// "" means any time; a name ParseWindow does not know matches nothing.
	Window string `json:"time,omitempty"`
	// Types keeps meetings having all of these Meeting Guide type codes,
	// in any case ("W", "es" and "ES" are codes, not words).
	Types []string `json:"type,omitempty"`
	// Region keeps meetings whose region, sub_region or any of regions is
	// this name, ignoring case, accents and punctuation ("reunion" is
	// "Réunion", "saint denis" is "Saint-Denis").
	Region string `json:"region,omitempty"`
	// Language keeps meetings held in this language: a tag ("es"; "es"
	// also finds "es-MX") or a Meeting Guide language type code ("S"). A
	// meeting's languages are its Language and its language type codes.
	Language string `json:"language,omitempty"`
	// Attendance keeps meetings attended this way: "in_person", "online",
	// "hybrid" or "inactive", as meetingguide.Attendance derives it; any
	// spelling ParseAttendance reads.
	Attendance string `json:"attendance,omitempty"`
	// Text keeps meetings whose name, location, group, regions, notes,
	// location notes or address hold every word of it, ignoring case and
	// accents. Each word must begin a word there ("reun" finds "Réunion",
	// "union" does not); words of one or two letters must be whole words
	// ("AA" does not find "Kaala"). In scripts written without spaces, such
	// as Japanese, a word may match anywhere.
	Text string `json:"q,omitempty"`
	// Near, with RadiusKm above 0, keeps meetings with a position within
	// RadiusKm of it; meetings with no position (online ones, withheld
	// addresses) are left out. With RadiusKm 0 it only fills in
	// Result.DistanceKm.
	Near     *Point  `json:"near,omitempty"`
	RadiusKm float64 `json:"radius,omitempty"`
	// Hub keeps only the listings this hub (peer ID) wrote.
	Hub string `json:"hub,omitempty"`
	// IncludeCancelled keeps cancelled listings, which are otherwise left
	// out: an operator needs to see them, a member does not.
	IncludeCancelled bool `json:"all,omitempty"`
	// Limit is the most results returned; 0 (or less) means all.
	Limit int `json:"limit,omitempty"`
}

// Day is a day as a query asks for it: a weekday, Sunday = 0 … Saturday =
// 6, as the Meeting Guide spec numbers them, or Today or Tomorrow, which
// Search reads in the hub's zone (the index's, see NewWithDefault) at the
// instant it searches. In JSON it is a word of the query language:
// "tuesday", "today".
type Day int8

// Days relative to the search.
const (
	Today    Day = -1
	Tomorrow Day = -2
)

// weekday is the weekday d means at now in zone; ok is false for a Day
// that is none.
func (d Day) weekday(zone *time.Location, now time.Time) (day int, ok bool) {
	switch {
	case d == Today, d == Tomorrow:
		today := int(now.In(zone).Weekday())
		return (today + int(Today-d)) % 7, true
	case d >= 0 && d <= 6:
		return int(d), true
	}
	return 0, false
}

// String is d in the query language's words: "tuesday", "today".
func (d Day) String() string {
	switch d {
	case Today:
		return "today"
	case Tomorrow:
		return "tomorrow"
	}
	if d >= 0 && d <= 6 {
		return dayNames[d]
	}
	return "day " + strconv.Itoa(int(d))
}

func (d Day) MarshalText() ([]byte, error) {
	if _, ok := d.weekday(time.UTC, time.Time{}); !ok {
		return nil, fmt.Errorf("%v is no day of the week", d)
	}
	return []byte(d.String()), nil
}

func (d *Day) UnmarshalText(b []byte) (err error) {
	*d, err = ParseDay(string(b))
	return err
}

// Point is a place on Earth in decimal degrees. In JSON it is the query
// language's "LAT,LON".
type Point struct {
	Lat, Lon float64
}

func (p Point) MarshalText() ([]byte, error) {
	return []byte(strconv.FormatFloat(p.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(p.Lon, 'f', -1, 64)), nil
}

func (p *Point) UnmarshalText(b []byte) (err error) {
	*p, err = ParsePoint(string(b))
	return err
}

// Result is one meeting found, with where it stands in time for the query.
type Result struct {
	// Listing is the listing as given to Put; callers must not change it.
	Listing *protocol.Listing
	// Next is when the meeting next starts, in the meeting's own zone; for
	// a meeting in progress, when this sitting started. Zero for meetings
	// by appointment and for those not meeting for now.
	Next time.Time
	// Inactive: the meeting is not meeting for now (see Inactive).
	Inactive bool
	// InProgress: the meeting started less than ten minutes ago, or has
	// started and not yet reached its end time (an hour after the start if
	// it gives none). Such meetings come first.
	InProgress bool
	// DistanceKm is the great-circle distance from Query.Near; -1 if the
	// query or the listing has no position.
	DistanceKm float64
}

// Windows of the day, as minutes after midnight, [from, to); night wraps
// past midnight.
var windows = map[string][2]int{
	"morning": {5 * 60, 12 * 60},
	"midday":  {12 * 60, 17 * 60},
	"evening": {17 * 60, 21 * 60},
	"night":   {21 * 60, 5 * 60},
}

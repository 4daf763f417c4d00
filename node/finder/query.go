package finder

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"hearth/protocol"
)

// Query is what a member or operator asks for. The zero Query asks for every
// meeting that is not cancelled, in "next occurrence" order. It travels as
// JSON from the CLI to a running node, hence the tags.
type Query struct {
	// Day keeps meetings on this weekday (0 = Sunday … 6), as each meeting
	// states it in its own zone. Meetings by appointment have no day.
	Day *int `json:"day,omitempty"`
	// Window keeps meetings starting in a part of the day, by the start time
	// in the meeting's own zone; half-open ranges:
	//
	//	morning  05:00–12:00
	//	midday   12:00–17:00 ("afternoon" is the same)
	//	evening  17:00–21:00
	//	night    21:00–05:00
	//
	// "" means any time; a name ParseWindow does not know matches nothing.
	Window string `json:"window,omitempty"`
	// Types keeps meetings having all of these Meeting Guide type codes,
	// in any case ("W", "es" and "ES" are codes, not words).
	Types []string `json:"types,omitempty"`
	// Region keeps meetings whose region, sub_region or any of regions is
	// this name, ignoring case, accents and punctuation ("reunion" is
	// "Réunion", "saint denis" is "Saint-Denis").
	Region string `json:"region,omitempty"`
	// Language keeps meetings held in this language: a tag ("es"; "es"
	// also finds "es-MX") or a Meeting Guide language type code ("S"). A
	// meeting's languages are its Language and its language type codes.
	Language string `json:"language,omitempty"`
	// Attendance keeps meetings attended this way: "in_person", "online",
	// "hybrid" or "inactive", derived by Options.Attendance.
	Attendance string `json:"attendance,omitempty"`
	// Text keeps meetings whose name, location, group, regions, notes,
	// location notes or address hold every word of it, ignoring case and
	// accents. Each word must begin a word there ("reun" finds "Réunion",
	// "union" does not); words of one or two letters must be whole words
	// ("AA" does not find "Kaala"). In scripts written without spaces, such
	// as Japanese, a word may match anywhere.
	Text string `json:"text,omitempty"`
	// Near, with RadiusKm above 0, keeps meetings with a position within
	// RadiusKm of it; meetings with no position (online ones, withheld
	// addresses) are left out. With RadiusKm 0 it only fills in
	// Result.DistanceKm.
	Near     *Point  `json:"near,omitempty"`
	RadiusKm float64 `json:"radius_km,omitempty"`
	// Hub keeps only the listings this hub (peer ID) wrote.
	Hub string `json:"hub,omitempty"`
	// IncludeCancelled keeps cancelled listings, which are otherwise left
	// out: an operator needs to see them, a member does not.
	IncludeCancelled bool `json:"include_cancelled,omitempty"`
	// Limit is the most results returned; 0 (or less) means all.
	Limit int `json:"limit,omitempty"`
}

// Point is a place on Earth in decimal degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Result is one meeting found, with where it stands in time for the query.
type Result struct {
	// Listing is the listing as given to Put; callers must not change it.
	Listing *protocol.Listing
	// Next is when the meeting next starts, in the meeting's own zone; for
	// a meeting in progress, when this sitting started. Zero for meetings
	// by appointment.
	Next time.Time
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

// ParseWindow reads a part of the day in any case: "morning", "midday" (or
// "afternoon"), "evening" or "night"; "" and "any" mean any time, returned
// as "". The result is the canonical name for Query.Window.
func ParseWindow(s string) (string, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	switch w {
	case "", "any":
		return "", nil
	case "afternoon":
		return "midday", nil
	}
	if _, ok := windows[w]; !ok {
		return "", fmt.Errorf("time of day %q: use morning, midday, evening or night", s)
	}
	return w, nil
}

// ErrBadPoint is returned by ParsePoint for what is not a position.
var ErrBadPoint = errors.New("position: use latitude,longitude in decimal degrees, such as -1.2921,36.8219")

// ParsePoint reads "LAT,LON" in decimal degrees, with or without spaces.
func ParsePoint(s string) (Point, error) {
	a, b, ok := strings.Cut(strings.ReplaceAll(s, " ", ""), ",")
	if !ok {
		return Point{}, fmt.Errorf("%w: got %q", ErrBadPoint, s)
	}
	lat, err1 := strconv.ParseFloat(a, 64)
	lon, err2 := strconv.ParseFloat(b, 64)
	// NaN fails every comparison, so it is ruled out by asking for the
	// range, not against it.
	if err1 != nil || err2 != nil || !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
		return Point{}, fmt.Errorf("%w: got %q", ErrBadPoint, s)
	}
	return Point{Lat: lat, Lon: lon}, nil
}

// ParseAttendance reads a way of attending for Query.Attendance, in any case
// and with "-" or " " for "_": in_person, online, hybrid or inactive.
func ParseAttendance(s string) (string, error) {
	a := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(protocol.Attendances, a) {
		return "", fmt.Errorf("attendance %q: use %s", s, strings.Join(protocol.Attendances, ", "))
	}
	return a, nil
}

// ErrBadRadius is returned by ParseRadius for what is not a distance.
var ErrBadRadius = errors.New("radius: use a distance such as 5km, 3mi or 2.5 (km)")

// maxRadiusKm is half the Earth's circumference: anything more is everywhere.
const maxRadiusKm = math.Pi * earthRadiusKm

// ParseRadius reads a distance and returns it in kilometres: "5km", "800m",
// "3mi", "3 miles", or a bare number of kilometres ("2.5"). It must be above
// zero; more than half the Earth's circumference is cut to that.
func ParseRadius(s string) (float64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	scale := 1.0
	for _, u := range []struct {
		suffix string
		km     float64
	}{
		// Longest first, so "km" is not read as "m" and "miles" as "mi".
		{"kilometres", 1}, {"kilometers", 1}, {"miles", 1.609344}, {"mile", 1.609344},
		{"km", 1}, {"mi", 1.609344}, {"m", 0.001},
	} {
		if strings.HasSuffix(v, u.suffix) {
			v, scale = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.km
			break
		}
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n <= 0 {
		return 0, fmt.Errorf("%w: got %q", ErrBadRadius, s)
	}
	return min(n*scale, maxRadiusKm), nil
}

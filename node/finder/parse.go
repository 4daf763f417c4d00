package finder

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"hearth/node/problem"
	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

// The query language. A search is written alike wherever it comes from: as
// URL parameters of the member page, the printable schedule and the JSON
// API (?day=today&type=O&type=W&near=-1.29,36.82), as flags of `hearth
// meetings list` and `print` (--day today --type O --type W), and as the
// JSON of a Query ({"day":"today","type":["O","W"]}). Each filter has one
// name and one parser, here:
//
//	day         0-6 (0 = Sunday), a day name or its first three letters,
//	            today or tomorrow (the hub's day: see Day)
//	time        morning, midday (afternoon), evening or night (ParseWindow)
//	type        a Meeting Guide type code; repeated, all of them
//	region      a region, sub-region or one of regions
//	language    a tag such as es, or a language type code such as S
//	attendance  in_person, online, hybrid or inactive (ParseAttendance)
//	q           words in the name, place, group, region or notes
//	near        LAT,LON (ParsePoint)
//	radius      with near: 5km, 800m, 3mi, or a number of km (ParseRadius);
//	            DefaultRadiusKm if not given
//	hub         a hub's peer ID: only its listings
//	all         1 or true: cancelled listings too
//	limit       at most this many results
//
// Words are read in any case. A name given with an empty value is as if
// not given, so a form's empty fields ask for nothing.

// DefaultRadiusKm is how far "near" reaches when no radius is given: a walk
// or a short bus ride.
const DefaultRadiusKm = 5

// ParseQuery reads a query from the values given for each filter name:
// values(name) is nil (or empty strings) for a filter not given. Its errors
// are one line that says what to give instead, wrapping a coded problem
// (ErrBadDay and the rest) that a page can say in its own words.
func ParseQuery(values func(name string) []string) (Query, error) {
	get := func(name string) string {
		for _, v := range values(name) {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
		return ""
	}
	var q Query
	var err error
	if d := get("day"); d != "" {
		day, err := ParseDay(d)
		if err != nil {
			return q, err
		}
		q.Day = &day
	}
	if q.Window, err = ParseWindow(get("time")); err != nil {
		return q, err
	}
	for _, t := range values("type") {
		if t = strings.TrimSpace(t); t != "" {
			q.Types = append(q.Types, t)
		}
	}
	q.Region = get("region")
	q.Language = get("language")
	if a := get("attendance"); a != "" {
		if q.Attendance, err = ParseAttendance(a); err != nil {
			return q, err
		}
	}
	q.Text = get("q")
	if near := get("near"); near != "" {
		p, err := ParsePoint(near)
		if err != nil {
			return q, err
		}
		q.Near = &p
		q.RadiusKm = DefaultRadiusKm
		if r := get("radius"); r != "" {
			if q.RadiusKm, err = ParseRadius(r); err != nil {
				return q, err
			}
		}
	}
	q.Hub = get("hub")
	switch strings.ToLower(get("all")) {
	case "1", "true":
		q.IncludeCancelled = true
	}
	if l := get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return q, fmt.Errorf("%w: got %q", ErrBadLimit, l)
		}
		q.Limit = n
	}
	return q, nil
}

// QueryFromURL is ParseQuery of URL parameters.
func QueryFromURL(v url.Values) (Query, error) {
	return ParseQuery(func(name string) []string { return v[name] })
}

// What can be wrong with a query, one problem per filter: each error the
// parsers return wraps one, with what was given.
var (
	ErrBadDay        = problem.Define("filter.badday", "day: use 0-6 (0 = Sunday), a day name such as tuesday, today or tomorrow")
	ErrBadWindow     = problem.Define("filter.badtime", "time of day: use morning, midday, evening or night")
	ErrBadAttendance = problem.Define("filter.badattendance", "attendance: use "+strings.Join(protocol.Attendances, ", "))
	ErrBadPoint      = problem.Define("filter.badnear", "position: use latitude,longitude in decimal degrees, such as -1.2921,36.8219")
	ErrBadRadius     = problem.Define("filter.badradius", "radius: use a distance such as 5km, 3mi or 2.5 (km)")
	ErrBadLimit      = problem.Define("filter.badlimit", "limit: use a whole number, 0 for all")
)

var dayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// ParseDay reads a day of the query language: a weekday as ParseWeekday
// reads it, or today or tomorrow.
func ParseDay(s string) (Day, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "today":
		return Today, nil
	case "tomorrow":
		return Tomorrow, nil
	}
	d, err := ParseWeekday(s)
	if err != nil {
		return 0, fmt.Errorf("%w: got %q", ErrBadDay, s)
	}
	return Day(d), nil
}

// ParseWeekday reads a weekday as 0-6 (0 = Sunday, as the Meeting Guide
// spec) or a day name, whole or its first three letters, in any case.
func ParseWeekday(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if d, err := strconv.Atoi(s); err == nil && d >= 0 && d <= 6 {
		return d, nil
	}
	for i, name := range dayNames {
		if len(s) >= 3 && strings.HasPrefix(name, s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("day %q: use 0-6 (0 = Sunday) or a day name such as tuesday", s)
}

// WeekdayName is the English name of weekday 0-6 ("Tuesday"); "" for any
// other number.
func WeekdayName(d int) string {
	if d < 0 || d > 6 {
		return ""
	}
	return strings.ToUpper(dayNames[d][:1]) + dayNames[d][1:]
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
		return "", fmt.Errorf("%w: got %q", ErrBadWindow, s)
	}
	return w, nil
}

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

// ParseAttendance reads a way of attending for Query.Attendance as
// meetingguide.ParseAttendance reads a feed's: in_person, online, hybrid or
// inactive, in any case and with "-" or " " for "_".
func ParseAttendance(s string) (string, error) {
	a, ok := meetingguide.ParseAttendance(s)
	if !ok {
		return "", fmt.Errorf("%w: got %q", ErrBadAttendance, s)
	}
	return a, nil
}

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

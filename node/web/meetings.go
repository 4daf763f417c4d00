package web

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"hearth/node"
	"hearth/node/finder"
	"hearth/node/problem"
	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

// How many meetings a page lists. The home page stays small for 2G; the
// search page shows them a page at a time, up to maxMeetings (then the
// member is asked to narrow the search, with its true count).
const (
	homeMeetings = 8
	pageMeetings = 40
	maxMeetings  = 2000
)

// meetingItem is one meeting in a list, already in the page's words.
type meetingItem struct {
	URL         string
	Name        string
	When        string
	InProgress  bool
	Cancelled   bool
	Attendance  string // code: in_person, online, hybrid, inactive
	HowLabel    string // the code in words
	Place       string
	Distance    string
	Format      string // "peer-led", "facilitated" or ""
	FormatLabel string
	Badge       string // "In progress", "Cancelled"
	Meta        string // how, where, how far, who leads: the line under the name
}

// meetingURL is the page of a listing: /meetings/HUB/slug.
func meetingURL(id string) string {
	hub, slug, _ := strings.Cut(id, "/")
	return "/meetings/" + url.PathEscape(hub) + "/" + url.PathEscape(slug)
}

// AttendanceLabel is how the member page says, in language lang, the way
// to attend l: "In person", "Online", "In person and online" or "Not
// meeting for now". The CLI shows the same words.
func AttendanceLabel(l *protocol.Listing, lang string) string {
	return sharedCatalogs().T(lang, attendanceKey(l))
}

func attendanceKey(l *protocol.Listing) string { return "attendance." + meetingguide.Attendance(l) }

// item is m as a list shows it, in the view's words and zone. A meeting
// not meeting for now says so instead of a time, and one whose building is
// closed names its area, not the building.
func item(v *view, m node.Meeting) meetingItem {
	it := meetingItem{
		URL: meetingURL(m.ID), Name: m.Name, InProgress: m.InProgress, Cancelled: m.Cancelled,
		Attendance: meetingguide.Attendance(m.Listing), Format: m.Format,
	}
	it.HowLabel = v.T(attendanceKey(m.Listing))
	switch m.Format {
	case protocol.FormatPeerLed:
		it.FormatLabel = v.T("format.peerled.short")
	case protocol.FormatFacilitated:
		it.FormatLabel = v.T("format.facilitated.short")
	}
	inactive := finder.Inactive(m.Listing)
	switch {
	case m.Cancelled:
		it.Badge = v.T("badge.cancelled")
	case inactive:
		it.Badge, it.HowLabel = it.HowLabel, ""
	case m.InProgress:
		it.Badge = v.T("badge.live")
	}
	switch {
	case inactive || m.Cancelled:
	case m.Next != nil:
		next := m.Next.In(finder.MeetingZone(m.Listing, v.zone))
		it.When = whenWords(v, next)
	case m.Day == nil:
		it.When = v.T("when.appointment")
	}
	switch {
	case m.Location != "" && !finder.BuildingClosed(m.Listing):
		it.Place = m.Location
	case m.City != "":
		it.Place = m.City
	default:
		it.Place = m.Region
	}
	if m.DistanceKm != nil {
		it.Distance = v.T("distance.km", *m.DistanceKm)
	}
	it.Meta = strings.Join(nonEmpty(it.HowLabel, it.Place, it.Distance, it.FormatLabel), " · ")
	return it
}

// homeData is the home page: what is on now and next, and a short filter.
type homeData struct {
	InProgress []meetingItem
	Soon       []meetingItem
	Filters    filterForm
}

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "")
	v.Title = v.HubName
	ms, err := s.n.Meetings(r.Context(), finder.Query{Limit: homeMeetings})
	if err != nil {
		s.log.Error("web: find meetings", "err", err)
	}
	d := homeData{Filters: s.filterForm(v, url.Values{})}
	for _, m := range ms {
		it := item(v, m)
		if it.InProgress {
			d.InProgress = append(d.InProgress, it)
		} else {
			d.Soon = append(d.Soon, it)
		}
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "home", v)
}

// filterForm is the meeting filter, with the member's current choices.
type filterForm struct {
	Days, Times, Types, Languages, Attendances, Radii []choice
	Region, Text, Near                                string
}

// commonTypes are the type codes offered in the filter: those a newcomer
// most often looks for. Any code still works in a URL (?type=XB).
var commonTypes = []string{"O", "C", "BE", "W", "M", "Y", "LGBTQ", "D", "SP", "ST", "B", "MED", "A", "X", "ASL", "CF", "SEN"}

// filterLanguages are the meeting languages offered in the filter, by tag,
// each named in itself so a member finds their own.
var filterLanguages = []struct{ Tag, Name string }{
	{"en", "English"}, {"es", "Español"}, {"fr", "Français"}, {"pt", "Português"}, {"de", "Deutsch"},
	{"it", "Italiano"}, {"nl", "Nederlands"}, {"pl", "Polski"}, {"ru", "Русский"}, {"uk", "Українська"},
	{"ar", "العربية"}, {"hi", "हिन्दी"}, {"sw", "Kiswahili"}, {"zh", "中文"}, {"ja", "日本語"},
}

var timeWindows = []string{"morning", "midday", "evening", "night"}

var radii = []string{"1", "2", "5", "10", "25", "50"}

func (s *server) filterForm(v *view, q url.Values) filterForm {
	f := filterForm{Region: q.Get("region"), Text: q.Get("q"), Near: q.Get("near")}
	opt := func(list *[]choice, value, label, current string) {
		*list = append(*list, choice{Value: value, Label: label, Checked: value == current})
	}
	opt(&f.Days, "", v.T("filter.anyday"), q.Get("day"))
	opt(&f.Days, "today", v.T("filter.today"), q.Get("day"))
	opt(&f.Days, "tomorrow", v.T("filter.tomorrow"), q.Get("day"))
	for d := 0; d < 7; d++ {
		opt(&f.Days, strconv.Itoa(d), dayLong(v, d), q.Get("day"))
	}
	opt(&f.Times, "", v.T("filter.anytime"), q.Get("time"))
	for _, t := range timeWindows {
		opt(&f.Times, t, v.T("time."+t), q.Get("time"))
	}
	opt(&f.Types, "", v.T("filter.anytype"), q.Get("type"))
	for _, t := range commonTypes {
		opt(&f.Types, t, v.TypeName(t), q.Get("type"))
	}
	opt(&f.Languages, "", v.T("filter.anylang"), q.Get("language"))
	for _, l := range filterLanguages {
		opt(&f.Languages, l.Tag, l.Name, q.Get("language"))
	}
	opt(&f.Attendances, "", v.T("filter.anyhow"), q.Get("attendance"))
	for _, a := range []string{"in_person", "online", "hybrid"} {
		opt(&f.Attendances, a, v.T("attendance."+a), q.Get("attendance"))
	}
	radius := q.Get("radius")
	if radius == "" {
		radius = "5"
	}
	for _, km := range radii {
		opt(&f.Radii, km, v.T("distance.within", km), radius)
	}
	return f
}

// errBadFilter stands for a search the finder refused without saying why
// in a coded error; it should not happen.
var errBadFilter = problem.Define("filter.bad", "the search does not make sense")

// queryFromForm reads the filter form, whose fields are named as the query
// language's filters (finder.ParseQuery), into a finder query; a problem
// says what the member should fix.
func (s *server) queryFromForm(q url.Values) (finder.Query, *problem.Error) {
	fq, err := finder.QueryFromURL(q)
	if err != nil {
		return fq, problemOf(err, errBadFilter)
	}
	// Cancelled meetings are for operators, not the member page.
	fq.IncludeCancelled = false
	return fq, nil
}

// listData is the meeting search page.
type listData struct {
	Filters  filterForm
	Meetings []meetingItem
	Searched bool
	Filtered bool // the member chose something: show results before the form
	// The search spelled out, each filter a link that removes it; with no
	// result, each says how many meetings there are without it.
	Applied []appliedFilter
	Total   int // every meeting that matches, not just this page's
	From    int // the first shown, counting from 1
	To      int
	Page    int
	Pages   int
	Prev    string // URL of the previous page; "" on the first
	Next    string // URL of the next page; "" on the last
	Capped  bool   // more match than the pages reach: narrow the search
	Print   string // URL of the printable weekly schedule of this search
}

// appliedFilter is one filter of a search as the member reads it.
type appliedFilter struct {
	Label       string
	RemoveLabel string // "Remove: Tuesday", for a screen reader
	Remove      string // the same search without it
	Without     int    // how many meetings match without it (said when none match)
}

// searchFilters are the URL parameters the filter form sets, in the
// order a search is spelled out.
var searchFilters = []string{"day", "time", "attendance", "language", "type", "region", "q", "near"}

func (s *server) meetingList(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "meetings.title")
	q := r.URL.Query()
	d := listData{Filters: s.filterForm(v, q)}
	fq, bad := s.queryFromForm(q)
	if bad != nil {
		v.Error = v.Problem(bad)
		v.Data = d
		s.render(w, r, http.StatusBadRequest, "meetings", v)
		return
	}
	ctx := r.Context()
	d.Applied = s.appliedFilters(v, q)
	d.Filtered = len(d.Applied) > 0
	d.Page = 1
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		d.Page = min(p, maxMeetings/pageMeetings)
	}
	fq.Limit = d.Page * pageMeetings
	ms, err := s.n.Meetings(ctx, fq)
	if err == nil {
		d.Total, err = s.n.CountMeetings(ctx, fq)
	}
	if err != nil {
		s.log.Error("web: find meetings", "err", err)
		v.Error = v.T("error.text")
	}
	d.Searched = true
	reach := min(d.Total, maxMeetings)
	d.Pages = max(1, (reach+pageMeetings-1)/pageMeetings)
	d.Page = min(d.Page, d.Pages)
	d.Capped = d.Total > maxMeetings
	if first := (d.Page - 1) * pageMeetings; first < len(ms) {
		ms = ms[first:]
		d.From = first + 1
	} else {
		ms = nil
	}
	for _, m := range ms {
		d.Meetings = append(d.Meetings, item(v, m))
	}
	d.To = d.From + len(d.Meetings) - 1
	page := func(n int) string {
		u := maps.Clone(q)
		u.Del("limit")
		u.Del("page")
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		return "/meetings?" + u.Encode() + "#results"
	}
	if d.Page > 1 {
		d.Prev = page(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.Next = page(d.Page + 1)
	}
	if d.Total == 0 {
		// Say what each filter costs: the member sees which to let go.
		for i, f := range d.Applied {
			without, err := finder.QueryFromURL(removeFilterValues(q, f))
			if err == nil {
				without.IncludeCancelled = false
				d.Applied[i].Without, _ = s.n.CountMeetings(ctx, without)
			}
		}
	}
	if d.Total > 0 {
		// The same search as a weekly schedule on paper, for someone
		// with no phone. The day is the schedule's pages, so it goes.
		week := url.Values{}
		for k, vs := range q {
			if k != "day" && k != "limit" && k != "page" {
				week[k] = vs
			}
		}
		d.Print = "/meetings/print?" + week.Encode()
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "meetings", v)
}

// appliedFilters spells out the search in the URL parameters q, one filter
// at a time, in the page's words, each with the link that removes it.
func (s *server) appliedFilters(v *view, q url.Values) []appliedFilter {
	var out []appliedFilter
	add := func(label string, remove url.Values) {
		remove.Del("page")
		remove.Del("limit")
		out = append(out, appliedFilter{Label: label, RemoveLabel: v.T("filter.remove", label), Remove: "/meetings?" + remove.Encode()})
	}
	without := func(name string) url.Values {
		u := maps.Clone(q)
		u.Del(name)
		if name == "near" {
			u.Del("radius")
		}
		return u
	}
	for _, name := range searchFilters {
		if name == "type" {
			for i, code := range q["type"] {
				if code = strings.TrimSpace(code); code != "" {
					u := maps.Clone(q)
					u["type"] = slices.Delete(slices.Clone(q["type"]), i, i+1)
					add(v.TypeName(code), u)
				}
			}
			continue
		}
		value := strings.TrimSpace(q.Get(name))
		if value == "" {
			continue
		}
		var label string
		switch name {
		case "day":
			day, err := finder.ParseDay(value)
			switch {
			case err != nil:
				label = value
			case day == finder.Today:
				label = v.T("filter.today")
			case day == finder.Tomorrow:
				label = v.T("filter.tomorrow")
			default:
				label = dayLong(v, int(day))
			}
		case "time":
			w, err := finder.ParseWindow(value)
			label = value
			if err == nil && w != "" {
				label = v.T("time." + w)
			}
		case "attendance":
			a, err := finder.ParseAttendance(value)
			label = value
			if err == nil {
				label = v.T("attendance." + a)
			}
		case "language":
			label = value
			for _, l := range filterLanguages {
				if strings.EqualFold(l.Tag, value) {
					label = l.Name
				}
			}
		case "region":
			label = value
		case "q":
			label = v.T("filter.wordslabel", value)
		case "near":
			radius := cmp.Or(strings.TrimSpace(q.Get("radius")), strconv.Itoa(finder.DefaultRadiusKm))
			if _, err := strconv.ParseFloat(radius, 64); err == nil {
				radius += " km" // the form's radii are kilometres
			}
			label = v.T("filter.nearlabel", value, radius)
		}
		add(label, without(name))
	}
	return out
}

// removeFilterValues is the search of an applied filter's Remove link.
func removeFilterValues(q url.Values, f appliedFilter) url.Values {
	_, query, _ := strings.Cut(f.Remove, "?")
	u, err := url.ParseQuery(query)
	if err != nil {
		return q
	}
	return u
}

// detailData is one meeting's page.
type detailData struct {
	meetingItem
	Day, Time, Zone, NextDate string
	HereTime                  string // the next sitting on the hub's clock, when the meeting's differs
	UsualDay                  string // for a meeting not meeting for now: the day it used to meet
	Inactive                  bool   // not meeting for now (finder.Inactive)
	BuildingClosed            bool   // its venue is closed for now (finder.BuildingClosed)
	Types                     []typeInfo
	FormatLine                string
	Focus                     string
	Language                  string
	Address                   []string
	OnRequest                 bool
	MapURL                    template.URL
	LocationNotes             string
	ConferenceURL             string
	ConferenceURLNotes        string
	Dial                      dial // the conference phone: the number to call, then the codes
	ConferencePhoneNotes      string
	Notes                     string
	Group, GroupNotes         string
	Website, Email            string
	Phone                     template.URL
	PhoneText                 string
	Contacts                  []protocol.Contact
	ICS                       string
}

type typeInfo struct {
	Code, Name, Explain string
}

// meetingPage serves /meetings/HUB/slug and /meetings/HUB/slug.ics (and
// /meetings/slug for this hub's own). A slug may itself end in ".ics", so
// the page wins if a listing has that slug.
func (s *server) meetingPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	m, err := s.n.Meeting(r.Context(), id)
	if err != nil {
		if base, ok := strings.CutSuffix(id, ".ics"); ok {
			if m, err := s.n.Meeting(r.Context(), base); err == nil {
				s.calendar(w, r, m)
				return
			}
		}
		// A malformed ID (node says why) is as unknown to a member as a
		// missing one (node.ErrUnknownMeeting): the same plain page.
		s.plain(w, r, http.StatusNotFound, "nomeeting.title", "nomeeting.text")
		return
	}
	v := s.newView(w, r, "")
	v.Title = m.Name
	v.Data = detail(v, m)
	v.Groups = s.markFor(w, r, v, m.ID)
	s.render(w, r, http.StatusOK, "meeting", v)
}

// detail is one meeting's page, in the view's words and zone. A meeting
// not meeting for now (finder.Inactive) keeps its usual day and time, said
// as what it was, with no next date, calendar file or map; one whose
// building is closed (finder.BuildingClosed) shows no building, address or
// map, even while it meets online.
func detail(v *view, m node.Meeting) detailData {
	l := m.Listing
	d := detailData{Zone: finder.MeetingZone(l, v.zone).String(), Inactive: finder.Inactive(l)}
	if l.Focus != "" {
		d.Focus = v.T("focus." + l.Focus)
	}
	if sitting, ok := finder.NextSitting(l, v.zone, v.now); ok {
		m.Next, m.InProgress = &sitting.Start, sitting.InProgress
		d.Day = dayLong(v, *l.Day)
		d.Time = sitting.Start.Format("15:04")
		if l.EndTime != "" {
			d.Time += "–" + sitting.End.Format("15:04")
		}
		d.NextDate = dateLong(v, sitting.Start)
		if here := sitting.Start.In(v.zone); !sameClock(sitting.Start, here) {
			d.HereTime = dayWord(v, here)
		}
		d.ICS = meetingURL(m.ID) + ".ics"
	} else if d.Inactive && l.Day != nil && *l.Day >= 0 && *l.Day <= 6 && l.Time != "" {
		d.UsualDay, d.Time = dayLong(v, *l.Day), l.Time
		if l.EndTime != "" {
			d.Time += "–" + l.EndTime
		}
	}
	d.meetingItem = item(v, m)
	for _, code := range l.Types {
		ti := typeInfo{Code: code, Name: v.TypeName(code)}
		switch code {
		case "O":
			ti.Explain = v.T("type.open")
		case "C":
			ti.Explain = v.T("type.closed")
		}
		d.Types = append(d.Types, ti)
	}
	switch l.Format {
	case protocol.FormatPeerLed:
		d.FormatLine = v.T("format.peerled")
	case protocol.FormatFacilitated:
		d.FormatLine = v.T("format.facilitated")
	default:
		d.FormatLine = v.T("format.unknown")
	}
	if l.Language != "" {
		d.Language = l.Language
		for _, fl := range filterLanguages {
			if strings.EqualFold(fl.Tag, l.Language) {
				d.Language = fl.Name
			}
		}
	}
	d.BuildingClosed = finder.BuildingClosed(l)
	d.OnRequest = l.AddressVisibility == protocol.AddressOnRequest && !d.BuildingClosed
	switch {
	case d.BuildingClosed:
	case l.FormattedAddress != "":
		d.Address = []string{l.FormattedAddress}
	case l.Address != "" || l.City != "":
		d.Address = nonEmpty(l.Address, strings.TrimSpace(strings.Join(nonEmpty(l.PostalCode, l.City, l.State), " ")), l.Country)
	}
	if l.Latitude != nil && l.Longitude != nil && !l.Approximate && !d.Inactive && !d.BuildingClosed {
		// geo: opens the phone's own map app, which may work offline; no
		// map is fetched from another host.
		d.MapURL = template.URL(fmt.Sprintf("geo:%.6f,%.6f", *l.Latitude, *l.Longitude))
	}
	if !d.BuildingClosed {
		d.LocationNotes = l.LocationNotes
	}
	d.Notes, d.Group, d.GroupNotes = l.Notes, l.Group, l.GroupNotes
	if protocol.CheckURL("conference_url", l.ConferenceURL) == nil {
		d.ConferenceURL = l.ConferenceURL
	}
	d.ConferenceURLNotes, d.ConferencePhoneNotes = l.ConferenceURLNotes, l.ConferencePhoneNotes
	d.Dial = dialOf(l.ConferencePhone)
	d.Phone, d.PhoneText = telURL(l.Phone), l.Phone
	if protocol.CheckURL("website", l.Website) == nil {
		d.Website = l.Website
	}
	d.Email = l.Email
	d.Contacts = l.Contacts
	return d
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// dial is a conference phone as the page shows it: the number to call, and
// the codes to enter once it answers (a meeting ID, a passcode), which the
// tel: link dials by itself on most phones after its pauses.
type dial struct {
	Tel    template.URL
	Number string
	Codes  []string
}

// dialOf reads a conference phone as Meeting Guide feeds write it,
// "+16699006833,,85512345678#,,,,*123456#": a number, then after pauses
// (',' or ';') the codes.
func dialOf(phone string) dial {
	number, codes, _ := strings.Cut(strings.ReplaceAll(phone, ";", ","), ",")
	d := dial{Tel: telURL(phone), Number: strings.TrimSpace(number)}
	for c := range strings.SplitSeq(codes, ",") {
		if c = strings.TrimSpace(c); c != "" {
			d.Codes = append(d.Codes, c)
		}
	}
	if d.Number == "" {
		return dial{}
	}
	return d
}

// telURL makes a tel: link from a phone number as a listing or config
// writes it, keeping only what a dialler reads (digits, +, and the , ; * #
// of pauses and extensions), so nothing else can ride in the link.
func telURL(phone string) template.URL {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' || strings.ContainsRune("+,;*#", r) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return template.URL("tel:" + b.String())
}

// meetingFeed serves the hub's listings as a Meeting Guide JSON feed, so
// existing meeting-finder apps can read this hub. Cancelled listings are
// left out.
func (s *server) meetingFeed(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := s.n.WriteFeed(&buf, false); err != nil {
		s.log.Error("web: meeting feed", "err", err)
		http.Error(w, `{"error":"feed unavailable"}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	writeCompressed(w, r, http.StatusOK, buf.Bytes())
}

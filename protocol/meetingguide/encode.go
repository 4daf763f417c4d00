package meetingguide

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"hearth/protocol"
)

// Encode writes ls as a Meeting Guide feed: a JSON array with the spec's
// field names, day as an integer 0-6, time as "HH:MM", contacts as
// contact_1_* to contact_3_*, and TSML's attendance_option when
// l.Attendance is set (a derived attendance is left for the reader to
// derive). Decode(Encode(ls)) gives back every spec field of ls; a listing
// Decode made comes back whole.
//
// Slugs must be unique in ls, as a feed's are: pass one hub's listings. A
// repeated slug is an error and nothing is written.
//
// What it leaves out, on purpose:
//   - cancelled listings: a feed lists meetings that take place. Callers
//     normally filter them out first; Encode skips any that remain.
//   - for a listing whose address is given on request, the venue (location,
//     location_notes, address, formatted_address, postal_code, position):
//     only the city, state, country, regions and contacts go out, marked
//     approximate. Such listings carry no street address anyway; this holds
//     even if one did.
//   - Hearth's own fields (hub, seq, times, format, focus), which the spec
//     has no place for, and contacts after the third. A listing's Language
//     is written as its type code ("es" -> "S") when its types lack one.
func Encode(w io.Writer, ls []protocol.Listing) error {
	seen := make(map[string]bool, len(ls))
	for i := range ls {
		if ls[i].Cancelled {
			continue
		}
		if seen[ls[i].Slug] {
			return fmt.Errorf("meetingguide: encode: slug %q appears twice; a feed needs unique slugs, so pass one hub's listings", ls[i].Slug)
		}
		seen[ls[i].Slug] = true
	}

	// One meeting a line: readable, and diffs of a feed stay small.
	bw := bufio.NewWriter(w)
	var row bytes.Buffer
	// HTML characters stay escaped (\u003c): listings come from other hubs,
	// and a page that inlines the feed must not get markup from it.
	enc := json.NewEncoder(&row)
	sep := "[\n"
	for i := range ls {
		if ls[i].Cancelled {
			continue
		}
		row.Reset()
		if err := enc.Encode(toRow(&ls[i])); err != nil {
			return fmt.Errorf("meetingguide: encode %q: %w", ls[i].Slug, err)
		}
		bw.WriteString(sep)
		bw.Write(bytes.TrimSuffix(row.Bytes(), []byte("\n")))
		sep = ",\n"
	}
	if sep == "[\n" {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("meetingguide: encode: %w", err)
	}
	return nil
}

// toRow maps a listing onto the feed's fields.
func toRow(l *protocol.Listing) *encodedRow {
	r := &encodedRow{
		Name:                 l.Name,
		Slug:                 l.Slug,
		Day:                  l.Day,
		Time:                 l.Time,
		EndTime:              l.EndTime,
		Timezone:             l.Timezone,
		Types:                typesWithLanguage(l.Types, l.Language),
		Notes:                l.Notes,
		Location:             l.Location,
		LocationNotes:        l.LocationNotes,
		FormattedAddress:     l.FormattedAddress,
		Address:              l.Address,
		City:                 l.City,
		State:                l.State,
		PostalCode:           l.PostalCode,
		Country:              l.Country,
		Latitude:             l.Latitude,
		Longitude:            l.Longitude,
		Region:               l.Region,
		SubRegion:            l.SubRegion,
		Regions:              l.Regions,
		Group:                l.Group,
		GroupNotes:           l.GroupNotes,
		ConferenceURL:        l.ConferenceURL,
		ConferenceURLNotes:   l.ConferenceURLNotes,
		ConferencePhone:      l.ConferencePhone,
		ConferencePhoneNotes: l.ConferencePhoneNotes,
		URL:                  l.URL,
		Updated:              l.Updated,
		FeedbackURL:          l.FeedbackURL,
		FeedbackEmails:       l.FeedbackEmails,
		Website:              l.Website,
		Email:                l.Email,
		Phone:                l.Phone,
		Venmo:                l.Venmo,
		Square:               l.Square,
		PayPal:               l.PayPal,
		AttendanceOption:     l.Attendance,
	}
	if l.Approximate {
		r.Approximate = "yes"
	}
	contacts := []struct{ name, email, phone *string }{
		{&r.Contact1Name, &r.Contact1Email, &r.Contact1Phone},
		{&r.Contact2Name, &r.Contact2Email, &r.Contact2Phone},
		{&r.Contact3Name, &r.Contact3Email, &r.Contact3Phone},
	}
	for i, c := range l.Contacts[:min(len(l.Contacts), len(contacts))] {
		*contacts[i].name, *contacts[i].email, *contacts[i].phone = c.Name, c.Email, c.Phone
	}
	if l.AddressVisibility == protocol.AddressOnRequest {
		r.Location, r.LocationNotes, r.Address, r.FormattedAddress, r.PostalCode = "", "", "", "", ""
		r.Latitude, r.Longitude = nil, nil
		r.Approximate = "yes"
	}
	return r
}

// typesWithLanguage adds the type code of the listing's language when no
// type already says it, so meeting-finder apps, which know only types, can
// show it.
func typesWithLanguage(types []string, lang string) []string {
	if lang == "" {
		return types
	}
	for _, t := range types {
		if tag, ok := languageTags[t]; ok && BaseLanguage(tag) == BaseLanguage(lang) {
			return types
		}
	}
	code, ok := languageCodes[BaseLanguage(lang)]
	if !ok {
		return types
	}
	return append(slices.Clip(types), code)
}

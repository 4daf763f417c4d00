package meetingguide

import (
	"slices"
	"strings"

	"hearth/protocol"
)

// Attendance is how a member can attend l: "in_person", "online", "hybrid"
// or "inactive" (protocol.Attendances). The rule, first match wins:
//
//  1. l.Attendance, if set: the feed's attendance_option, or the operator's
//     word, beats any guess.
//  2. Type TC (location temporarily closed): "online" if the meeting has a
//     conference URL or phone, else "inactive".
//  3. A conference URL or phone and a street address: "hybrid".
//  4. A conference URL or phone only: "online".
//  5. A street address only: "in_person".
//  6. Neither: "inactive".
//
// A listing has a street address when it is not marked approximate and it
// has an address line, or a formatted_address of at least four
// comma-separated parts ("street, city, state postcode, country"). Fewer
// parts ("Anytown, OK 12345, USA") is a city or area: the approximate
// location the spec asks online meetings to give. This is the rule TSML UI
// applies, and it agrees with attendance_option on all 145 meetings of
// sussexaa.json. A listing whose address is given on request
// (protocol.AddressOnRequest) counts as having one: the venue exists, its
// address is withheld.
func Attendance(l *protocol.Listing) string {
	if l.Attendance != "" {
		return l.Attendance
	}
	conference := l.ConferenceURL != "" || l.ConferencePhone != ""
	if slices.Contains(l.Types, "TC") {
		if conference {
			return "online"
		}
		return "inactive"
	}
	street := hasStreetAddress(l)
	switch {
	case conference && street:
		return "hybrid"
	case conference:
		return "online"
	case street:
		return "in_person"
	}
	return "inactive"
}

func hasStreetAddress(l *protocol.Listing) bool {
	if l.AddressVisibility == protocol.AddressOnRequest {
		return true
	}
	if l.Approximate {
		return false
	}
	return l.Address != "" || strings.Count(l.FormattedAddress, ",") >= 3
}

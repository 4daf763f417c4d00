package meetingguide

import (
	"testing"

	"hearth/protocol"
)

func TestAttendance(t *testing.T) {
	const (
		street = "123 Main St, Anytown, OK 12345, USA" // four parts
		city   = "Anytown, OK 12345, USA"              // three: approximate
		zoom   = "https://zoom.us/j/1"
	)
	tests := []struct {
		name string
		l    protocol.Listing
		want string
	}{
		{"set wins", protocol.Listing{Attendance: "hybrid"}, "hybrid"},
		{"set wins over TC", protocol.Listing{Attendance: "in_person", Types: []string{"TC"}, FormattedAddress: street}, "in_person"},
		{"TC with URL", protocol.Listing{Types: []string{"O", "TC"}, ConferenceURL: zoom, FormattedAddress: street}, "online"},
		{"TC with phone", protocol.Listing{Types: []string{"TC"}, ConferencePhone: "+15550100"}, "online"},
		{"TC, no conference", protocol.Listing{Types: []string{"TC"}, FormattedAddress: street}, "inactive"},
		{"URL and street", protocol.Listing{ConferenceURL: zoom, FormattedAddress: street}, "hybrid"},
		{"phone and address line", protocol.Listing{ConferencePhone: "+15550100", Address: "1 High St"}, "hybrid"},
		{"URL and city", protocol.Listing{ConferenceURL: zoom, FormattedAddress: city}, "online"},
		{"URL, street marked approximate", protocol.Listing{ConferenceURL: zoom, FormattedAddress: street, Approximate: true}, "online"},
		{"URL only", protocol.Listing{ConferenceURL: zoom}, "online"},
		{"street only", protocol.Listing{FormattedAddress: street}, "in_person"},
		{"split address", protocol.Listing{Address: "100 Tarry Rd", City: "San Anselmo", State: "CA"}, "in_person"},
		{"city only", protocol.Listing{FormattedAddress: city}, "inactive"},
		{"city fields only", protocol.Listing{City: "Marin", State: "CA", Country: "USA"}, "inactive"},
		{"position only", protocol.Listing{Latitude: ptr(1.0), Longitude: ptr(2.0)}, "inactive"},
		{"nothing", protocol.Listing{}, "inactive"},
		{"address on request", protocol.Listing{AddressVisibility: protocol.AddressOnRequest, Region: "North"}, "in_person"},
		{"address on request and URL", protocol.Listing{AddressVisibility: protocol.AddressOnRequest, ConferenceURL: zoom}, "hybrid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Attendance(&tt.l); got != tt.want {
				t.Errorf("Attendance = %q, want %q", got, tt.want)
			}
		})
	}
}

// sussexaa.json gives attendance_option on every row; the rule, applied to
// the same rows without it, must agree on every one.
func TestAttendanceAgreesWithSussex(t *testing.T) {
	res, err := decodeFile(t, "sussexaa.json", DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res.Listings {
		given := l.Attendance
		l.Attendance = ""
		if derived := Attendance(&l); derived != given {
			t.Errorf("%s: attendance_option %q, rule %q", l.Slug, given, derived)
		}
	}
}

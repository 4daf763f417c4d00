package node

import (
	"reflect"

	"hearth/protocol"
)

// Draft is a meeting as an operator writes it, for AddMeeting and
// UpdateMeeting: the meeting fields of a listing (protocol.Listing, whose
// documentation says what each holds), without those the hub sets when it
// signs one: v, hub, seq, issued_at, expires_at and cancelled. A test
// keeps the two field lists in step.
type Draft struct {
	Slug              string `json:"slug"` // "" on add: made from the name
	Format            string `json:"format,omitempty"`
	Focus             string `json:"focus,omitempty"`
	Language          string `json:"language,omitempty"`
	AddressVisibility string `json:"address_visibility,omitempty"`

	Name                 string             `json:"name"`
	Day                  *int               `json:"day,omitempty"`
	Time                 string             `json:"time,omitempty"`
	EndTime              string             `json:"end_time,omitempty"`
	Timezone             string             `json:"timezone,omitempty"` // "" for the hub's (HubZone)
	Types                []string           `json:"types,omitempty"`
	Notes                string             `json:"notes,omitempty"`
	Updated              string             `json:"updated,omitempty"`
	URL                  string             `json:"url,omitempty"`
	Location             string             `json:"location,omitempty"`
	LocationNotes        string             `json:"location_notes,omitempty"`
	FormattedAddress     string             `json:"formatted_address,omitempty"`
	Address              string             `json:"address,omitempty"`
	City                 string             `json:"city,omitempty"`
	State                string             `json:"state,omitempty"`
	PostalCode           string             `json:"postal_code,omitempty"`
	Country              string             `json:"country,omitempty"`
	Latitude             *float64           `json:"latitude,omitempty"`
	Longitude            *float64           `json:"longitude,omitempty"`
	Approximate          bool               `json:"approximate,omitzero"`
	Region               string             `json:"region,omitempty"`
	SubRegion            string             `json:"sub_region,omitempty"`
	Regions              []string           `json:"regions,omitempty"`
	Group                string             `json:"group,omitempty"`
	GroupNotes           string             `json:"group_notes,omitempty"`
	Attendance           string             `json:"attendance,omitempty"`
	ConferenceURL        string             `json:"conference_url,omitempty"`
	ConferenceURLNotes   string             `json:"conference_url_notes,omitempty"`
	ConferencePhone      string             `json:"conference_phone,omitempty"`
	ConferencePhoneNotes string             `json:"conference_phone_notes,omitempty"`
	Website              string             `json:"website,omitempty"`
	Email                string             `json:"email,omitempty"`
	Phone                string             `json:"phone,omitempty"`
	FeedbackURL          string             `json:"feedback_url,omitempty"`
	FeedbackEmails       []string           `json:"feedback_emails,omitempty"`
	Venmo                string             `json:"venmo,omitempty"`
	Square               string             `json:"square,omitempty"`
	PayPal               string             `json:"paypal,omitempty"`
	Contacts             []protocol.Contact `json:"contacts,omitempty"`
}

// DraftOf is the meeting fields of l, for an operator to change.
func DraftOf(l protocol.Listing) Draft {
	var d Draft
	copyByName(reflect.ValueOf(&d).Elem(), reflect.ValueOf(l))
	return d
}

// listing is d as a listing with only its meeting fields set, for the hub
// to fill the rest and sign.
func (d Draft) listing() protocol.Listing {
	var l protocol.Listing
	copyByName(reflect.ValueOf(&l).Elem(), reflect.ValueOf(d))
	return l
}

// copyByName copies the fields a Draft has from src to dst, by name: one
// is a Draft, the other a protocol.Listing, whose fields of those names
// have the same types.
func copyByName(dst, src reflect.Value) {
	fields := reflect.TypeFor[Draft]()
	for i := range fields.NumField() {
		name := fields.Field(i).Name
		dst.FieldByName(name).Set(src.FieldByName(name))
	}
}

package meetingguide

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// feedRow is one meeting as a feed writes it, read leniently: text fields
// accept strings, numbers or null, and the fields real feeds spell several
// ways stay raw until parse time, so one odd value costs a detail, not the
// row. Unknown fields are ignored.
type feedRow struct {
	Name                 text            `json:"name"`
	Slug                 text            `json:"slug"`
	Day                  json.RawMessage `json:"day"`
	Time                 text            `json:"time"`
	EndTime              text            `json:"end_time"`
	Timezone             text            `json:"timezone"`
	Types                textList        `json:"types"`
	Notes                text            `json:"notes"`
	Location             text            `json:"location"`
	LocationNotes        text            `json:"location_notes"`
	FormattedAddress     text            `json:"formatted_address"`
	Address              text            `json:"address"`
	City                 text            `json:"city"`
	State                text            `json:"state"`
	PostalCode           text            `json:"postal_code"`
	Country              text            `json:"country"`
	Latitude             text            `json:"latitude"`
	Longitude            text            `json:"longitude"`
	Approximate          json.RawMessage `json:"approximate"`
	Region               text            `json:"region"`
	SubRegion            text            `json:"sub_region"`
	Regions              textList        `json:"regions"`
	Group                text            `json:"group"`
	GroupNotes           text            `json:"group_notes"`
	ConferenceURL        text            `json:"conference_url"`
	ConferenceURLNotes   text            `json:"conference_url_notes"`
	ConferencePhone      text            `json:"conference_phone"`
	ConferencePhoneNotes text            `json:"conference_phone_notes"`
	URL                  text            `json:"url"`
	Updated              text            `json:"updated"`
	FeedbackURL          text            `json:"feedback_url"`
	FeedbackEmails       textList        `json:"feedback_emails"`
	Website              text            `json:"website"`
	Email                text            `json:"email"`
	Phone                text            `json:"phone"`
	Venmo                text            `json:"venmo"`
	Square               text            `json:"square"`
	PayPal               text            `json:"paypal"`
	Contact1Name         text            `json:"contact_1_name"`
	Contact1Email        text            `json:"contact_1_email"`
	Contact1Phone        text            `json:"contact_1_phone"`
	Contact2Name         text            `json:"contact_2_name"`
	Contact2Email        text            `json:"contact_2_email"`
	Contact2Phone        text            `json:"contact_2_phone"`
	Contact3Name         text            `json:"contact_3_name"`
	Contact3Email        text            `json:"contact_3_email"`
	Contact3Phone        text            `json:"contact_3_phone"`
	AttendanceOption     text            `json:"attendance_option"`
}

// text is a feed's text value, trimmed. Strings and numbers are read as
// text (slugs are often integer IDs, latitudes often strings); null, true,
// false, objects and arrays read as "" rather than failing the row.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
		*t = ""
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*t = text(strings.TrimSpace(s))
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*t = text(b)
	default:
		*t = ""
	}
	return nil
}

// textList is a list of texts: a JSON array of strings or numbers (other
// elements are dropped), or a single string as a list of one. Empty
// elements are dropped.
type textList []string

func (l *textList) UnmarshalJSON(b []byte) error {
	*l = nil
	switch {
	case len(b) > 0 && b[0] == '[':
		var elems []text
		if err := json.Unmarshal(b, &elems); err != nil {
			return err
		}
		for _, e := range elems {
			if e != "" {
				*l = append(*l, string(e))
			}
		}
	default:
		var t text
		if err := t.UnmarshalJSON(b); err != nil {
			return err
		}
		if t != "" {
			*l = textList{string(t)}
		}
	}
	return nil
}

// unquote decodes a JSON string literal. The common case (no escapes, valid
// UTF-8) is a copy; anything else goes through encoding/json so escapes and
// invalid UTF-8 are handled exactly as the standard decoder does.
func unquote(b []byte) (string, error) {
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// encodedRow is one meeting as Encode writes it: the spec's field names and
// types, in the spec's order.
type encodedRow struct {
	Name                 string   `json:"name"`
	Slug                 string   `json:"slug"`
	Day                  *int     `json:"day,omitempty"`
	Time                 string   `json:"time,omitempty"`
	EndTime              string   `json:"end_time,omitempty"`
	Timezone             string   `json:"timezone,omitempty"`
	Types                []string `json:"types,omitempty"`
	Notes                string   `json:"notes,omitempty"`
	Location             string   `json:"location,omitempty"`
	LocationNotes        string   `json:"location_notes,omitempty"`
	FormattedAddress     string   `json:"formatted_address,omitempty"`
	Address              string   `json:"address,omitempty"`
	City                 string   `json:"city,omitempty"`
	State                string   `json:"state,omitempty"`
	PostalCode           string   `json:"postal_code,omitempty"`
	Country              string   `json:"country,omitempty"`
	Latitude             *float64 `json:"latitude,omitempty"`
	Longitude            *float64 `json:"longitude,omitempty"`
	Approximate          string   `json:"approximate,omitempty"`
	Region               string   `json:"region,omitempty"`
	SubRegion            string   `json:"sub_region,omitempty"`
	Regions              []string `json:"regions,omitempty"`
	Group                string   `json:"group,omitempty"`
	GroupNotes           string   `json:"group_notes,omitempty"`
	ConferenceURL        string   `json:"conference_url,omitempty"`
	ConferenceURLNotes   string   `json:"conference_url_notes,omitempty"`
	ConferencePhone      string   `json:"conference_phone,omitempty"`
	ConferencePhoneNotes string   `json:"conference_phone_notes,omitempty"`
	URL                  string   `json:"url,omitempty"`
	Updated              string   `json:"updated,omitempty"`
	FeedbackURL          string   `json:"feedback_url,omitempty"`
	FeedbackEmails       []string `json:"feedback_emails,omitempty"`
	Website              string   `json:"website,omitempty"`
	Email                string   `json:"email,omitempty"`
	Phone                string   `json:"phone,omitempty"`
	Venmo                string   `json:"venmo,omitempty"`
	Square               string   `json:"square,omitempty"`
	PayPal               string   `json:"paypal,omitempty"`
	Contact1Name         string   `json:"contact_1_name,omitempty"`
	Contact1Email        string   `json:"contact_1_email,omitempty"`
	Contact1Phone        string   `json:"contact_1_phone,omitempty"`
	Contact2Name         string   `json:"contact_2_name,omitempty"`
	Contact2Email        string   `json:"contact_2_email,omitempty"`
	Contact2Phone        string   `json:"contact_2_phone,omitempty"`
	Contact3Name         string   `json:"contact_3_name,omitempty"`
	Contact3Email        string   `json:"contact_3_email,omitempty"`
	Contact3Phone        string   `json:"contact_3_phone,omitempty"`
	// AttendanceOption is TSML's field, not the spec's; real feeds carry it.
	AttendanceOption string `json:"attendance_option,omitempty"`
}

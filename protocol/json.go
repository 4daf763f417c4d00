package protocol

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A listing payload is read by one set of rules, so that every hub reads the
// same signed bytes the same way, or refuses them (PROTOCOL.md, "Payload").
// github.com/go-json-experiment/json (the proposed encoding/json/v2) enforces
// most of them itself; the options below name each one, even where it is
// the library's default, so the rules are visible here.
var listingJSON = json.JoinOptions(
	json.MatchCaseInsensitiveNames(false), // "Name" is not "name"
	jsontext.AllowDuplicateNames(false),   // {"name":"a","name":"b"} is refused
	json.RejectUnknownMembers(true),       // a key the schema does not name is refused
	jsontext.AllowInvalidUTF8(false),      // strings are valid UTF-8, escapes included
	json.WithUnmarshalers(json.JoinUnmarshalers(
		json.UnmarshalFromFunc(refuseNull),
		json.UnmarshalFromFunc(readTimestamp),
	)),
)

var errNull = errors.New("null is not a value of any field: leave the field out")

// refuseNull runs before every value is read: no field takes null, so "absent"
// has one spelling.
func refuseNull(dec *jsontext.Decoder, _ any) error {
	if dec.PeekKind() == 'n' {
		return errNull
	}
	return json.SkipFunc
}

// timestampPattern is RFC 3339 as the payload allows it: upper-case T and Z,
// at most nanosecond precision, so every implementation reads the same instant.
var timestampPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$`)

func readTimestamp(dec *jsontext.Decoder, t *time.Time) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '"' {
		return fmt.Errorf("a time is a string such as \"2026-11-28T19:30:00Z\"")
	}
	s := tok.String()
	if !timestampPattern.MatchString(s) {
		return fmt.Errorf("time %q: use RFC 3339 such as \"2026-11-28T19:30:00Z\"", s)
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time %q: %v", s, err)
	}
	*t = v
	return nil
}

// DecodeListing decodes a listing payload by the strict rules: one JSON
// object within MaxPayloadSize, keys in exact case, no key twice, no key the
// schema does not name, no null. It does not Validate.
func DecodeListing(data []byte, l *Listing) error {
	if len(data) > MaxPayloadSize {
		return fmt.Errorf("%w: payload is %d bytes, at most %d", ErrTooLarge, len(data), MaxPayloadSize)
	}
	var out Listing
	if err := json.Unmarshal(data, &out, listingJSON); err != nil {
		return classifyJSONError(err)
	}
	*l = out
	return nil
}

// EncodeListing is the payload Seal signs: the listing's JSON, fields in
// schema order, empty optional fields left out.
func EncodeListing(l *Listing) ([]byte, error) {
	data, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("protocol: encode listing: %w", err)
	}
	return data, nil
}

// classifyJSONError gives a decoding failure its refusal reason.
func classifyJSONError(err error) error {
	if errors.Is(err, jsontext.ErrDuplicateName) {
		return fmt.Errorf("%w: %v", ErrDuplicateKey, err)
	}
	var serr *json.SemanticError
	if errors.As(err, &serr) && serr.Err == json.ErrUnknownName {
		name := serr.JSONPointer.LastToken()
		if schemaKeys[strings.ToLower(name)] {
			return fmt.Errorf("%w: %q (keys are lower case, as the schema writes them)", ErrKeyCase, name)
		}
		return fmt.Errorf("%w: %q", ErrUnknownKey, name)
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

// schemaKeys are the JSON keys of a listing and of its contacts, so a key
// that differs from one only in case is told apart from an unknown one.
var schemaKeys = func() map[string]bool {
	keys := make(map[string]bool)
	for _, t := range []reflect.Type{reflect.TypeFor[Listing](), reflect.TypeFor[Contact]()} {
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			keys[name] = true
		}
	}
	return keys
}()

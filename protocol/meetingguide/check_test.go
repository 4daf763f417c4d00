package meetingguide

import (
	"strings"
	"testing"
	"time"

	"hearth/protocol"
)

func validates(l protocol.Listing) bool {
	l.Version, l.Hub, l.Seq = protocol.SchemaVersion, testHub, 1
	l.IssuedAt = time.Now()
	l.ExpiresAt = l.IssuedAt.Add(time.Hour)
	return l.Validate() == nil
}

// typeCodePattern must agree with protocol's rule, or a code Decode keeps
// would cost the meeting at Validate.
func TestTypeCodeRuleMatchesProtocol(t *testing.T) {
	for _, code := range []string{"O", "12x12", "AL-AN", "LGBTQ", "a", "0123456789abcdef", "0123456789abcdefg", "", "Big Book", "A_B", "é", "O,D"} {
		l := protocol.Listing{Slug: "x", Name: "x", Types: []string{code}}
		if ours, theirs := typeCodePattern.MatchString(code), validates(l); ours != theirs {
			t.Errorf("%q: ours %v, protocol %v", code, ours, theirs)
		}
	}
}

// slugPattern must agree with protocol's rule, or Decode would keep a slug
// Validate refuses, or rename one it accepts.
func TestSlugRuleMatchesProtocol(t *testing.T) {
	for _, slug := range []string{"a", "A.b_c~d-e", "1234", strings.Repeat("a", 128), strings.Repeat("a", 129), "",
		"-a", ".a", "a b", "a/b", "a%20b", "café", "a\n"} {
		l := protocol.Listing{Slug: slug, Name: "x"}
		if ours, theirs := slugOK(slug), validates(l); ours != theirs {
			t.Errorf("%q: ours %v, protocol %v", slug, ours, theirs)
		}
		_, _, err := protocol.SplitID(testHub + "/" + slug)
		if ours, theirs := slugOK(slug), err == nil; ours != theirs {
			t.Errorf("%q: ours %v, SplitID %v", slug, ours, theirs)
		}
	}
}

// check refuses what Validate refuses, and a listing too large to seal.
func TestCheck(t *testing.T) {
	zones := map[string]error{}
	ok := protocol.Listing{Slug: "x", Name: "x", Day: ptr(1), Time: "19:00", Timezone: "Europe/Paris"}
	if err := check(&ok, zones); err != nil {
		t.Errorf("valid listing: %v", err)
	}
	for _, l := range []protocol.Listing{
		{Slug: "x", Name: "x", Timezone: "Mars/Olympus"},
		{Slug: "x", Name: "x", Timezone: "Local"},
		{Slug: "x", Name: "x", Day: ptr(1)},
		{Slug: "x", Name: "", Day: ptr(1), Time: "19:00"},
		{Slug: "x", Name: "x", Notes: strings.Repeat("é", 3000), GroupNotes: strings.Repeat("x", 3000)},
	} {
		if err := check(&l, zones); err == nil || validates(l) && !strings.Contains(err.Error(), "bytes") {
			t.Errorf("%+v: %v", l, err)
		}
	}
	if ok.Timezone != "Europe/Paris" || ok.Hub != "" {
		t.Error("check changed the listing")
	}
}

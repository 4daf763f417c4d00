package node

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsubpb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"

	"hearth/protocol"
)

// TestVectorsThroughGossip feeds protocol's test vectors to a hub's gossip
// validator, as they would arrive from a peer: each gets the verdict the
// index gives it, and each refusal is counted under its reason.
func TestVectorsThroughGossip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "protocol", "testdata", "vectors")
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index struct {
		Now     time.Time `json:"now"`
		Vectors []struct {
			File, Verdict, Reason, Description string
		} `json:"vectors"`
	}
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	hubDir := t.TempDir()
	if err := Init(hubDir, "vectors"); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	hub, err := Open(hubDir, Options{Config: &cfg, Logger: testLogger(t), Now: func() time.Time { return index.Now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Close() })
	relay := peer.ID("a relaying peer")
	verdicts := map[pubsub.ValidationResult]string{
		pubsub.ValidationAccept: "accept", pubsub.ValidationReject: "reject", pubsub.ValidationIgnore: "ignore",
	}
	for _, v := range index.Vectors {
		env, err := os.ReadFile(filepath.Join(dir, v.File))
		if err != nil {
			t.Fatal(err)
		}
		before := hub.stats.rejections()[v.Reason]
		got := verdicts[hub.validateGossip(context.Background(), relay, &pubsub.Message{Message: &pubsubpb.Message{Data: env}})]
		if got != v.Verdict {
			t.Errorf("%s (%s): %s, want %s", v.File, v.Description, got, v.Verdict)
		}
		if v.Reason != "" && hub.stats.rejections()[v.Reason] != before+1 {
			t.Errorf("%s: not counted as %s", v.File, v.Reason)
		}
	}
}

// TestLoadDropsListingsThatBreakRules: a listing stored before a rule
// existed is dropped when the hub starts, and counted in its status.
func TestLoadDropsListingsThatBreakRules(t *testing.T) {
	t.Parallel()
	hub := newTestNode(t, "hub", testConfig())
	a := newAuthor(t)
	good := a.seal(t, "good", 1)
	hub.holds(good)

	// Stored verbatim under laxer rules: an envelope padded with an unknown
	// field, and a payload with a key in the wrong case.
	padded := append(a.seal(t, "padded", 1), 0x48, 0x00) // field 9, varint 0
	l := meetingDraft("Wrong Case", 2)
	l.Version, l.Hub, l.Slug, l.Seq = protocol.SchemaVersion, a.id, "wrong-case", 1
	l.IssuedAt, l.ExpiresAt = time.Now().UTC().Truncate(time.Second), time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	payload, err := protocol.EncodeListing(&l)
	if err != nil {
		t.Fatal(err)
	}
	payload = []byte(string(payload[:1]) + `"Name":"x",` + string(payload[1:]))
	wrongCase := sealPayload(t, a.key, payload)
	for id, env := range map[string][]byte{a.id + "/padded": padded, a.id + "/wrong-case": wrongCase} {
		if err := hub.store.PutListing(id, 1, env); err != nil {
			t.Fatal(err)
		}
	}

	hub.Close()
	hub.open(testConfig())
	st, err := hub.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Dropped["not_canonical"] != 1 || st.Dropped["key_case"] != 1 {
		t.Fatalf("dropped on load: %v, want one not_canonical and one key_case", st.Dropped)
	}
	if _, ok := hub.listings.get(a.id + "/good"); !ok {
		t.Fatal("the valid listing was dropped too")
	}
	for _, id := range []string{a.id + "/padded", a.id + "/wrong-case"} {
		if _, _, err := hub.store.GetListing(id); err == nil {
			t.Fatalf("%s is still stored", id)
		}
	}
}

// sealPayload signs any payload as a listing envelope, as a faulty
// implementation might.
func sealPayload(t *testing.T, key crypto.PrivKey, payload []byte) []byte {
	t.Helper()
	env, err := record.Seal(&rawListing{payload}, key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

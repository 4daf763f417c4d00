package operator

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"hearth/node"
	"hearth/node/finder"
	"hearth/node/members"
	"hearth/protocol/meetingguide/meetingguidetest"
)

// runningNode runs a node on loopback until the test ends.
func runningNode(t *testing.T) (*node.Node, string) {
	t.Helper()
	dir := t.TempDir()
	if err := node.Init(dir, "Client test hub"); err != nil {
		t.Fatal(err)
	}
	cfg := node.DefaultConfig()
	cfg.Network.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.Network.MDNS = false
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Listings.DefaultTimezone = "Africa/Nairobi"
	cfg.Name = "Client test hub"
	n, err := node.Open(dir, node.Options{Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		n.Close()
	})
	select {
	case <-n.Ready():
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	return n, dir
}

// Every Operator method reaches the node's own over the socket, with its
// arguments, its result and its errors: the client and the server name the
// same calls.
func TestEveryCallReachesTheNode(t *testing.T) {
	t.Parallel()
	if _, err := Dial(t.TempDir()); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Dial with no node: %v, want ErrNotRunning", err)
	}
	n, dir := runningNode(t)
	c, err := Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	id, err := c.Identity(ctx)
	must("identity", err)
	st, err := c.Status(ctx)
	must("status", err)
	if id.ID != n.ID().String() || !st.Running || st.Name != "Client test hub" {
		t.Errorf("identity %+v, status %+v", id, st)
	}

	day := 2
	m, err := c.AddMeeting(ctx, node.Draft{Name: "Tuesday Hope", Day: &day, Time: "19:00", Types: []string{"O"}, Address: "Community Hall, Kibera"})
	must("add meeting", err)
	if m.Slug != "tuesday-hope" || m.Timezone != "Africa/Nairobi" || !m.Own {
		t.Errorf("added %+v", m)
	}
	draft := node.DraftOf(*m.Listing)
	draft.Notes = "Bring a friend"
	m, err = c.UpdateMeeting(ctx, m.Slug, draft)
	must("update meeting", err)
	shown, err := c.Meeting(ctx, m.ID)
	must("show meeting", err)
	if shown.Notes != "Bring a friend" || shown.Seq != m.Seq {
		t.Errorf("shown %+v", shown)
	}
	tuesday := finder.Day(2)
	found, err := c.Meetings(ctx, finder.Query{Day: &tuesday, Types: []string{"O"}})
	must("find meetings", err)
	if len(found) != 1 || found[0].ID != m.ID || found[0].Next == nil {
		t.Errorf("found %+v", found)
	}
	sum, err := c.ImportMeetings(ctx, meetingguidetest.Feed(3), node.ImportOptions{DryRun: true, Timezone: "Europe/London"})
	must("import", err)
	if !sum.DryRun || sum.Added != 3 {
		t.Errorf("dry import: %+v", sum)
	}
	feed, err := c.ExportMeetings(ctx, true)
	must("export", err)
	if !strings.Contains(string(feed), "Tuesday Hope") {
		t.Errorf("export: %s", feed)
	}
	cancelled, err := c.CancelMeeting(ctx, m.Slug)
	must("cancel", err)
	if !cancelled.Cancelled {
		t.Errorf("cancelled %+v", cancelled)
	}
	// The node's errors come back as its own line.
	if _, err := c.Meeting(ctx, "no-such-meeting"); err == nil || !strings.Contains(err.Error(), "no such meeting") {
		t.Errorf("unknown meeting: %v", err)
	}

	if _, err := c.AddPeer(ctx, "/ip4/127.0.0.1/tcp/1", false); err == nil || !strings.Contains(err.Error(), "no /p2p/PEERID part") {
		t.Errorf("a peer address without /p2p/: %v", err)
	}
	key, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	pid, _ := peer.IDFromPrivateKey(key)
	peerID := pid.String()
	must("trust", c.SetTrusted(ctx, peerID, true))
	must("block", c.SetBlocked(ctx, peerID, true))
	peers, err := c.Peers(ctx)
	must("peers", err)
	if len(peers) != 1 || !peers[0].Blocked {
		t.Errorf("peers %+v", peers)
	}
	must("remove peer", c.RemovePeer(ctx, peerID))

	const pin = "428613"
	must("add member", c.AddMember(ctx, "ama", pin))
	list, err := c.ListMembers(ctx)
	must("list members", err)
	if len(list) != 1 || list[0].Nick != "ama" {
		t.Errorf("members %+v", list)
	}
	saved, err := c.AddCheckIn(ctx, "ama", pin, members.CheckIn{Mood: 4, Note: "a good day"})
	must("add check-in", err)
	cs, err := c.CheckIns(ctx, "ama", pin)
	must("check-ins", err)
	doc, err := c.ExportCheckIns(ctx, "ama", pin)
	must("export check-ins", err)
	if len(cs) != 1 || cs[0].ID != saved.ID || doc.Nickname != "ama" || len(doc.CheckIns) != 1 || doc.CheckIns[0].Note != "a good day" {
		t.Errorf("check-ins %+v, export %+v", cs, doc)
	}
	if _, err := c.AddCheckIn(ctx, "ama", pin, members.CheckIn{Mood: 9}); err == nil || !strings.Contains(err.Error(), "mood must be 1 to 5") {
		t.Errorf("mood 9: %v", err)
	}
	if _, err := c.CheckIns(ctx, "ama", "999999"); err == nil || !strings.Contains(err.Error(), members.ErrWrongPIN.Error()) {
		t.Errorf("wrong PIN: %v", err)
	}
	counted, err := c.UnlockMember(ctx, "ama")
	must("unlock", err)
	if counted != 1 {
		t.Errorf("unlock counted %d wrong PINs, want 1", counted)
	}
	plan, err := c.EditSafetyPlan(ctx, "ama", pin, members.PlanEdit{members.StepAsk: {"Kofi 0722 000 111"}, members.StepSafer: {"x"}})
	must("edit plan", err)
	if _, err := c.EditSafetyPlan(ctx, "ama", pin, members.PlanEdit{members.StepSafer: nil}); err != nil {
		t.Errorf("clear a step: %v", err)
	}
	got, err := c.SafetyPlan(ctx, "ama", pin)
	must("plan", err)
	if len(plan.Steps) != 2 || len(got.Steps) != 1 || got.Steps[members.StepAsk][0] != "Kofi 0722 000 111" {
		t.Errorf("plan %+v, then %+v", plan, got)
	}
	if _, err := c.EditSafetyPlan(ctx, "ama", pin, members.PlanEdit{"reasons": {"x"}}); err == nil || !strings.Contains(err.Error(), `no step "reasons"`) {
		t.Errorf("an unknown step: %v", err)
	}
	must("erase", c.EraseCheckIns(ctx, "ama", pin))
	must("add member again", c.AddMember(ctx, "kofi", pin))
	must("remove member", c.RemoveMember(ctx, "kofi", pin))
	if list, _ := c.ListMembers(ctx); len(list) != 0 {
		t.Errorf("after erase and remove: %+v", list)
	}
}

package store

import (
	"bytes"
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func id(n byte, size int) []byte { return bytes.Repeat([]byte{n}, size) }

func TestMemberRecordsKeptApart(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	// No account, nothing written.
	if err := s.PutSafetyPlan("bob", []byte("plan")); !errors.Is(err, ErrNotFound) {
		t.Errorf("plan for no member: %v", err)
	}
	if err := s.PutBuddies("bob", []byte("book"), nil, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("buddies for no member: %v", err)
	}
	if err := s.PutRoutine("bob", []byte("routine"), Feed{}, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("routine for no member: %v", err)
	}
	if err := s.PutSignals("bob", []Signal{{ID: id(1, SignalIDLen), Sealed: []byte("s")}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("signal for no member: %v", err)
	}
	if _, err := s.GetSignal(id(1, SignalIDLen)); !errors.Is(err, ErrNotFound) {
		t.Errorf("a signal was written for no member: %v", err)
	}
	// "bob" and "bobby": one nickname a prefix of the other, each record
	// kind its own table.
	for _, nick := range []string{"bob", "bobby"} {
		if err := s.PutMember(Member{Nick: nick}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSafetyPlan(nick, []byte("plan "+nick)); err != nil {
			t.Fatal(err)
		}
		if err := s.PutBuddies(nick, []byte("book "+nick), nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.PutRoutine(nick, []byte("routine "+nick), Feed{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, nick := range []string{"bob", "bobby"} {
		for what, get := range map[string]func(string) ([]byte, error){
			"plan": s.GetSafetyPlan, "book": s.GetBuddies, "routine": s.GetRoutine,
		} {
			if v, err := get(nick); err != nil || string(v) != what+" "+nick {
				t.Errorf("%s of %s: %q %v", what, nick, v, err)
			}
		}
	}
	if _, err := s.GetSafetyPlan("al"); !errors.Is(err, ErrNotFound) {
		t.Errorf("plan of nobody: %v", err)
	}
	// A nil plan deletes it.
	if err := s.PutSafetyPlan("bob", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSafetyPlan("bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("plan after clearing: %v", err)
	}
	if v, _ := s.GetSafetyPlan("bobby"); string(v) != "plan bobby" {
		t.Errorf("bobby's plan after clearing bob's: %q", v)
	}
}

func TestBuddySignals(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	if err := s.PutMember(Member{Nick: "ana"}); err != nil {
		t.Fatal(err)
	}
	mine, theirs := id(1, SignalIDLen), id(2, SignalIDLen)
	// A book and its signal in one write.
	if err := s.PutBuddies("ana", []byte("book"), []Signal{{ID: mine, Sealed: []byte("ana's side")}}, nil); err != nil {
		t.Fatal(err)
	}
	if v, err := s.GetSignal(mine); err != nil || string(v) != "ana's side" {
		t.Errorf("signal: %q %v", v, err)
	}
	if err := s.PutSignals("ana", []Signal{{ID: mine, Sealed: []byte("checked in")}}); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.GetSignal(mine); string(v) != "checked in" {
		t.Errorf("refreshed signal: %q", v)
	}
	// Ending: both sides dropped with the book, a missing one no error.
	if err := s.PutBuddies("ana", []byte("book, empty"), nil, [][]byte{mine, theirs}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSignal(mine); !errors.Is(err, ErrNotFound) {
		t.Errorf("signal after ending: %v", err)
	}
	// IDs of the wrong size are refused, nothing written.
	if err := s.PutBuddies("ana", []byte("bad"), []Signal{{ID: []byte("short")}}, nil); err == nil {
		t.Error("short signal ID accepted")
	}
	if v, _ := s.GetBuddies("ana"); string(v) != "book, empty" {
		t.Errorf("book after a refused write: %q", v)
	}
	if _, err := s.GetSignal([]byte("short")); err == nil {
		t.Error("short signal ID read")
	}
}

func TestFeeds(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	if err := s.PutMember(Member{Nick: "ana"}); err != nil {
		t.Fatal(err)
	}
	first, second := id(1, FeedIDLen), id(2, FeedIDLen)
	if err := s.PutRoutine("ana", []byte("r1"), Feed{ID: first, Sealed: []byte("feed 1")}, nil); err != nil {
		t.Fatal(err)
	}
	// A new address replaces the old in the same write.
	if err := s.PutRoutine("ana", []byte("r2"), Feed{ID: second, Sealed: []byte("feed 2")}, first); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetFeed(first); !errors.Is(err, ErrNotFound) {
		t.Errorf("old feed after replacing: %v", err)
	}
	if v, err := s.GetFeed(second); err != nil || string(v) != "feed 2" {
		t.Errorf("new feed: %q %v", v, err)
	}
	// Stopped: the routine stays, the feed goes.
	if err := s.PutRoutine("ana", []byte("r3"), Feed{}, second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetFeed(second); !errors.Is(err, ErrNotFound) {
		t.Errorf("feed after stopping: %v", err)
	}
	if v, _ := s.GetRoutine("ana"); string(v) != "r3" {
		t.Errorf("routine: %q", v)
	}
	if err := s.PutRoutine("ana", nil, Feed{ID: []byte("short")}, nil); err == nil {
		t.Error("short feed ID accepted")
	}
}

// Erasing a member drops every record of theirs, and the shared ones named,
// with no old version left in the files; other members' stay.
func TestDeleteMemberDropsEverything(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	sig := map[string][]byte{"bob": id(1, SignalIDLen), "bobby": id(2, SignalIDLen)}
	feed := map[string][]byte{"bob": id(1, FeedIDLen), "bobby": id(2, FeedIDLen)}
	for _, nick := range []string{"bob", "bobby"} {
		if err := s.PutMember(Member{Nick: nick, WrappedKey: []byte("k")}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutCheckIn(nick, checkInID(1), []byte("c")); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSafetyPlan(nick, []byte("plan")); err != nil {
			t.Fatal(err)
		}
		if err := s.PutBuddies(nick, []byte("book"), []Signal{{ID: sig[nick], Sealed: []byte("s")}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.PutRoutine(nick, []byte("r"), Feed{ID: feed[nick], Sealed: []byte("f")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// bob's buddy's side of their link (written by the buddy) goes too.
	buddySide := id(3, SignalIDLen)
	if err := s.PutSignals("bobby", []Signal{{ID: buddySide, Sealed: []byte("s")}}); err != nil {
		t.Fatal(err)
	}
	err := s.DeleteMember("bob", Shared{Signals: [][]byte{sig["bob"], buddySide}, Feeds: [][]byte{feed["bob"]}})
	if err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"plan":            second(s.GetSafetyPlan("bob")),
		"book":            second(s.GetBuddies("bob")),
		"routine":         second(s.GetRoutine("bob")),
		"signal":          second(s.GetSignal(sig["bob"])),
		"buddy's side":    second(s.GetSignal(buddySide)),
		"feed":            second(s.GetFeed(feed["bob"])),
		"latest check-in": second(s.LatestCheckInID("bob")),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("bob's %s after erasure: %v", what, err)
		}
	}
	for _, prefix := range append(memberRanges("bob"), Shared{Signals: [][]byte{sig["bob"], buddySide}, Feeds: [][]byte{feed["bob"]}}.keys()...) {
		s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, AllVersions: true})
			defer it.Close()
			for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
				t.Errorf("left after delete: %q version %d", it.Item().Key(), it.Item().Version())
			}
			return nil
		})
	}
	if has, err := s.HasRecords("bob"); has || err != nil {
		t.Errorf("bob has records after erasure: %v %v", has, err)
	}
	// bobby keeps everything.
	if _, err := s.GetSafetyPlan("bobby"); err != nil {
		t.Errorf("bobby's plan: %v", err)
	}
	if _, err := s.GetSignal(sig["bobby"]); err != nil {
		t.Errorf("bobby's signal: %v", err)
	}
	if _, err := s.GetFeed(feed["bobby"]); err != nil {
		t.Errorf("bobby's feed: %v", err)
	}
	if err := s.DeleteMember("bob", Shared{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

// A plan left without an account (an erasure cut short) counts as a
// record, and DeleteMember clears it.
func TestLeftoverRecords(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	if has, err := s.HasRecords("ana"); has || err != nil {
		t.Fatalf("records of nobody: %v %v", has, err)
	}
	err := s.update(false, func(txn *badger.Txn) error {
		return txn.Set(nickKey(prefixSafetyPlan, "ana"), []byte("orphan"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if has, _ := s.HasRecords("ana"); !has {
		t.Error("a leftover plan is not found")
	}
	if err := s.DeleteMember("ana", Shared{}); err != nil {
		t.Fatal(err)
	}
	if has, _ := s.HasRecords("ana"); has {
		t.Error("the leftover plan survived")
	}
}

func TestLatestCheckInID(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	for _, nick := range []string{"boa", "bob", "boc"} {
		if err := s.PutMember(Member{Nick: nick}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.LatestCheckInID("bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("no check-ins: %v", err)
	}
	for _, n := range []uint64{5, 2, 9, 1} {
		if err := s.PutCheckIn("bob", checkInID(n), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	// Neighbours on either side in key order must not be taken for bob's.
	s.PutCheckIn("boa", checkInID(99), []byte("x"))
	s.PutCheckIn("boc", checkInID(1), []byte("x"))
	if got, err := s.LatestCheckInID("bob"); err != nil || !bytes.Equal(got, checkInID(9)) {
		t.Errorf("latest: %x %v", got, err)
	}
	last := bytes.Repeat([]byte{0xff}, CheckInIDLen)
	s.PutCheckIn("bob", last, []byte("x"))
	if got, _ := s.LatestCheckInID("bob"); !bytes.Equal(got, last) {
		t.Errorf("latest at the end of the range: %x", got)
	}
}

func second[T any](_ T, err error) error { return err }

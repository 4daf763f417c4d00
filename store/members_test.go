package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func checkInID(n uint64) []byte {
	id := make([]byte, CheckInIDLen)
	binary.BigEndian.PutUint64(id, n)
	return id
}

func TestMembers(t *testing.T) {
	s := openTemp(t)
	created := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	m := Member{
		Nick: "bob", Created: created, KDF: KDFParams{Time: 2, MemoryKiB: 19456, Threads: 1},
		Salt: []byte("salt"), WrappedKey: []byte("wrapped"), Profile: []byte("profile"),
	}
	if err := s.PutMember(m); err != nil {
		t.Fatal(err)
	}
	for _, nick := range []string{"zed", "bobby", "al"} {
		if err := s.PutMember(Member{Nick: nick}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetMember("bob")
	if err != nil || got.KDF != m.KDF || !got.Created.Equal(created) || string(got.WrappedKey) != "wrapped" || string(got.Profile) != "profile" {
		t.Errorf("get: %+v %v", got, err)
	}
	list, err := s.Members()
	if err != nil {
		t.Fatal(err)
	}
	var nicks []string
	for _, m := range list {
		nicks = append(nicks, m.Nick)
	}
	if fmt.Sprint(nicks) != "[al bob bobby zed]" {
		t.Errorf("members not sorted: %v", nicks)
	}
	if _, err := s.GetMember("nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get missing: %v", err)
	}
	if err := s.PutMember(Member{}); err == nil {
		t.Error("member with no nickname stored")
	}
}

func TestCheckIns(t *testing.T) {
	s := openTemp(t)
	if err := s.PutCheckIn("bob", checkInID(1), []byte("x")); !errors.Is(err, ErrNotFound) {
		t.Errorf("check-in for no member: %v", err)
	}
	for _, nick := range []string{"bob", "bobby"} {
		if err := s.PutMember(Member{Nick: nick}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []uint64{3, 1, 2} {
		if err := s.PutCheckIn("bob", checkInID(n), fmt.Appendf(nil, "bob %d", n)); err != nil {
			t.Fatal(err)
		}
	}
	// "bobby" shares a prefix with "bob": the key layout must keep them apart.
	if err := s.PutCheckIn("bobby", checkInID(9), []byte("bobby 9")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheckIn("bob", []byte("short"), nil); err == nil {
		t.Error("short ID accepted")
	}
	list, err := s.CheckIns("bob")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("%d check-ins, want 3", len(list))
	}
	for i, c := range list {
		if !bytes.Equal(c.ID, checkInID(uint64(i+1))) || string(c.Sealed) != fmt.Sprintf("bob %d", i+1) {
			t.Errorf("check-in %d: %x %q", i, c.ID, c.Sealed)
		}
	}
	if n, err := s.CountCheckIns("bob"); n != 3 || err != nil {
		t.Errorf("count: %d %v", n, err)
	}
	if n, err := s.CountCheckIns("bobby"); n != 1 || err != nil {
		t.Errorf("count bobby: %d %v", n, err)
	}
	if n, err := s.CountCheckIns("nobody"); n != 0 || err != nil {
		t.Errorf("count nobody: %d %v", n, err)
	}
}

func TestDeleteMember(t *testing.T) {
	s := openTemp(t)
	for _, nick := range []string{"bob", "bobby"} {
		if err := s.PutMember(Member{Nick: nick, WrappedKey: []byte("key of " + nick)}); err != nil {
			t.Fatal(err)
		}
		// Several versions of the record, as profile changes write.
		if err := s.PutMember(Member{Nick: nick, WrappedKey: []byte("key of " + nick), Profile: []byte("p")}); err != nil {
			t.Fatal(err)
		}
		for n := range uint64(20) {
			if err := s.PutCheckIn(nick, checkInID(n), []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.DeleteMember("bob", Shared{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMember("bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("member after delete: %v", err)
	}
	if n, _ := s.CountCheckIns("bob"); n != 0 {
		t.Errorf("%d check-ins after delete", n)
	}
	if n, _ := s.CountCheckIns("bobby"); n != 20 {
		t.Errorf("bobby lost check-ins: %d left", n)
	}
	if _, err := s.GetMember("bobby"); err != nil {
		t.Errorf("bobby: %v", err)
	}
	if err := s.DeleteMember("bob", Shared{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	// Not only hidden: no version of any of bob's records is left, not even
	// a tombstone, so the old wrapped key is gone from the files.
	for _, prefix := range [][]byte{memberKey("bob"), checkInPrefix("bob")} {
		s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, AllVersions: true})
			defer it.Close()
			for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
				t.Errorf("left after delete: %q version %d deleted=%v", it.Item().Key(), it.Item().Version(), it.Item().IsDeletedOrExpired())
			}
			return nil
		})
	}
	// Check-ins left without a record (an erasure cut short) are erased
	// too. The API cannot make them, so write one directly.
	err := s.update(false, func(txn *badger.Txn) error {
		return txn.Set(append(checkInPrefix("bob"), checkInID(1)...), []byte("orphan"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMember("bob", Shared{}); err != nil {
		t.Errorf("delete orphaned check-ins: %v", err)
	}
	if n, _ := s.CountCheckIns("bob"); n != 0 {
		t.Errorf("%d orphaned check-ins left", n)
	}
	// A new member with the same nickname starts empty.
	if err := s.PutMember(Member{Nick: "bob"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountCheckIns("bob"); n != 0 {
		t.Errorf("new bob inherited %d check-ins", n)
	}
}

// TestDeleteMemberUnderLoad erases members while listings and check-ins
// are written: Badger refuses writes during a drop, and the store must
// make them wait instead.
func TestDeleteMemberUnderLoad(t *testing.T) {
	s := openTemp(t)
	const members = 5
	for i := range members {
		if err := s.PutMember(Member{Nick: fmt.Sprintf("m%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutMember(Member{Nick: "stays"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for seq := uint64(1); ; seq++ {
			select {
			case <-done:
				return
			default:
			}
			if err := s.PutListing("hub/busy", seq, []byte("x")); err != nil {
				t.Errorf("put listing during erase: %v", err)
				return
			}
		}
	})
	wg.Go(func() {
		for n := uint64(0); ; n++ {
			select {
			case <-done:
				return
			default:
			}
			if err := s.PutCheckIn("stays", checkInID(n), []byte("x")); err != nil {
				t.Errorf("put check-in during erase: %v", err)
				return
			}
		}
	})
	for i := range members {
		if err := s.DeleteMember(fmt.Sprintf("m%d", i), Shared{}); err != nil {
			t.Error(err)
		}
	}
	close(done)
	wg.Wait()
}

// BenchmarkPutCheckIn is a synced write: what a member waits for after
// pressing "save".
func BenchmarkPutCheckIn(b *testing.B) {
	s := openAt(b, b.TempDir(), newKey(b))
	if err := s.PutMember(Member{Nick: "bench"}); err != nil {
		b.Fatal(err)
	}
	sealed := make([]byte, 300)
	n := uint64(0)
	for b.Loop() {
		if err := s.PutCheckIn("bench", checkInID(n), sealed); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// BenchmarkDeleteMember erases a member with a year of daily check-ins
// from a store holding a few thousand listings.
func BenchmarkDeleteMember(b *testing.B) {
	s := openAt(b, b.TempDir(), newKey(b))
	env := make([]byte, 1024)
	for i := range 5000 {
		if err := s.PutListing(fmt.Sprintf("hub/%d", i), 1, env); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		b.StopTimer()
		if err := s.PutMember(Member{Nick: "gone"}); err != nil {
			b.Fatal(err)
		}
		for n := range uint64(365) {
			if err := s.PutCheckIn("gone", checkInID(n), make([]byte, 300)); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := s.DeleteMember("gone", Shared{}); err != nil {
			b.Fatal(err)
		}
	}
}

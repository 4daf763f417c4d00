package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"

	"hearth/protocol"
)

func TestPutListingSeq(t *testing.T) {
	s := openTemp(t)
	if err := s.PutListing("hub/a", 5, []byte("v5")); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []uint64{5, 4, 0} {
		err := s.PutListing("hub/a", seq, []byte("old"))
		if !errors.Is(err, protocol.ErrStale) {
			t.Errorf("seq %d over 5: %v, want ErrStale", seq, err)
		}
	}
	if err := s.PutListing("hub/a", 6, []byte("v6")); err != nil {
		t.Fatalf("newer seq: %v", err)
	}
	seq, env, err := s.GetListing("hub/a")
	if err != nil || seq != 6 || string(env) != "v6" {
		t.Errorf("get: %d %q %v", seq, env, err)
	}
	if _, _, err := s.GetListing("hub/none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get missing: %v", err)
	}
	if err := s.PutListing("", 1, nil); err == nil {
		t.Error("empty ID accepted")
	}
}

// TestPutListingRace delivers every seq of one listing from many goroutines
// at once: the highest must win, whatever the order.
func TestPutListingRace(t *testing.T) {
	s := openTemp(t)
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			seq := uint64(i + 1)
			err := s.PutListing("hub/a", seq, fmt.Appendf(nil, "v%d", seq))
			if err != nil && !errors.Is(err, protocol.ErrStale) {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seq, env, err := s.GetListing("hub/a")
	if err != nil || seq != n || string(env) != fmt.Sprintf("v%d", n) {
		t.Errorf("after the race: %d %q %v", seq, env, err)
	}
}

func TestForEachAndDeleteListings(t *testing.T) {
	s := openTemp(t)
	want := map[string]uint64{}
	for i := range 50 {
		id := fmt.Sprintf("hub/%02d", i)
		want[id] = uint64(i + 1)
		if err := s.PutListing(id, uint64(i+1), []byte(id)); err != nil {
			t.Fatal(err)
		}
	}
	var kept [][]byte
	prev := ""
	err := s.ForEachListing(func(id string, seq uint64, env []byte) error {
		if id <= prev {
			t.Errorf("%s after %s: not in ID order", id, prev)
		}
		prev = id
		if want[id] != seq || string(env) != id {
			t.Errorf("%s: seq %d env %q", id, seq, env)
		}
		delete(want, id)
		kept = append(kept, env)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 0 {
		t.Errorf("not visited: %v", want)
	}
	// The envelopes are copies: still intact after the transaction ended.
	if string(kept[3]) != "hub/03" {
		t.Errorf("kept envelope changed: %q", kept[3])
	}

	stop := errors.New("stop")
	if err := s.ForEachListing(func(string, uint64, []byte) error { return stop }); err != stop {
		t.Errorf("fn's error: %v", err)
	}

	if err := s.DeleteListing("hub/00"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteListing("hub/00"); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	var ids []string
	for i := 1; i < 40; i++ {
		ids = append(ids, fmt.Sprintf("hub/%02d", i))
	}
	ids = append(ids, "hub/never-stored")
	if err := s.DeleteListings(ids); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteListings(nil); err != nil {
		t.Fatal(err)
	}
	count := 0
	s.ForEachListing(func(id string, _ uint64, _ []byte) error {
		count++
		if id < "hub/40" {
			t.Errorf("%s survived deletion", id)
		}
		return nil
	})
	if count != 10 {
		t.Errorf("%d listings left, want 10", count)
	}
	// fn may use the store: the node's start-up sweep deletes as it goes.
	err = s.ForEachListing(func(id string, _ uint64, _ []byte) error { return s.DeleteListing(id) })
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GetListing("hub/45"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete from fn: %v", err)
	}
}

// BenchmarkPutListing stores distinct listings with ~1 KB envelopes, each
// in its own compare-and-set transaction, as gossip and sync do.
func BenchmarkPutListing(b *testing.B) {
	s := openAt(b, b.TempDir(), newKey(b))
	env := make([]byte, 1024)
	rand.Read(env)
	b.SetBytes(int64(len(env)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := s.PutListing(fmt.Sprintf("12D3KooWExampleHub/meeting-%d", i), 1, env); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "listings/s")
}

// BenchmarkPutListingParallel is the same from several goroutines, as when
// several peers sync at once.
func BenchmarkPutListingParallel(b *testing.B) {
	s := openAt(b, b.TempDir(), newKey(b))
	env := bytes.Repeat([]byte{0xa5}, 1024)
	b.SetBytes(int64(len(env)))
	var mu sync.Mutex
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			if err := s.PutListing(fmt.Sprintf("12D3KooWExampleHub/meeting-%d", i), 1, env); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
}

// BenchmarkForEachListing is the node's start: reading every listing back.
func BenchmarkForEachListing(b *testing.B) {
	s := openAt(b, b.TempDir(), newKey(b))
	env := bytes.Repeat([]byte{0xa5}, 1024)
	const n = 10000
	for i := range n {
		if err := s.PutListing(fmt.Sprintf("12D3KooWExampleHub/meeting-%d", i), 1, env); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		count := 0
		if err := s.ForEachListing(func(string, uint64, []byte) error { count++; return nil }); err != nil || count != n {
			b.Fatal(count, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "listings/s")
}

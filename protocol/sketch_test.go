package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomSets makes a server set and a client set that share common items,
// with onlyServer and onlyClient items apart, some of them the same key at
// another seq (a listing one hub holds newer).
func randomSets(rng *rand.Rand, common, onlyServer, onlyClient int) (server, client, wantTheirs, wantMine []SyncItem) {
	for range common {
		it := SyncItem{Key: rng.Uint64(), Seq: rng.Uint64N(MaxSeq) + 1}
		server = append(server, it)
		client = append(client, it)
	}
	for i := range onlyServer {
		it := SyncItem{Key: rng.Uint64(), Seq: rng.Uint64N(MaxSeq) + 1}
		if i%3 == 1 && len(client) > 0 {
			it.Key = client[rng.IntN(len(client))].Key // the server holds a newer seq
		}
		server = append(server, it)
		wantTheirs = append(wantTheirs, it)
	}
	for range onlyClient {
		it := SyncItem{Key: rng.Uint64(), Seq: rng.Uint64N(MaxSeq) + 1}
		client = append(client, it)
		wantMine = append(wantMine, it)
	}
	return server, client, wantTheirs, wantMine
}

func sortItems(s []SyncItem) []SyncItem {
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b SyncItem) int {
		if a.Key != b.Key {
			return cmpU64(a.Key, b.Key)
		}
		return cmpU64(a.Seq, b.Seq)
	})
	return s
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// decodeAll runs the client's side against the server's symbols, doubling
// the symbols asked for until done, and returns how many it needed.
func decodeAll(t testing.TB, salt uint64, server, client []SyncItem) (*SketchDecoder, int) {
	t.Helper()
	dec := NewSketchDecoder(salt, client, uint64(len(server)))
	for m := 16; ; m *= 2 {
		if err := dec.Add(EncodeSymbols(salt, server, dec.Len(), m)); err != nil {
			t.Fatal(err)
		}
		done, err := dec.Done()
		if err != nil {
			t.Fatal(err)
		}
		if done {
			return dec, m
		}
		if m > 1<<20 {
			t.Fatalf("no decode after %d symbols", m)
		}
	}
}

func TestSketchDecodesTheDifference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ common, server, client int }{
		{0, 0, 0}, {1000, 0, 0}, {1000, 1, 0}, {1000, 0, 1}, {1000, 10, 10},
		{0, 500, 0}, {0, 0, 500}, {5000, 300, 200}, {100, 3000, 1},
	} {
		t.Run(fmt.Sprintf("%d+%d/%d", c.common, c.server, c.client), func(t *testing.T) {
			server, client, wantTheirs, wantMine := randomSets(rng, c.common, c.server, c.client)
			dec, _ := decodeAll(t, rng.Uint64(), server, client)
			if got, want := sortItems(dec.Theirs()), sortItems(wantTheirs); !slices.Equal(got, want) {
				t.Fatalf("server-only: got %d items, want %d", len(got), len(want))
			}
			if got, want := sortItems(dec.Mine()), sortItems(wantMine); !slices.Equal(got, want) {
				t.Fatalf("client-only: got %d items, want %d", len(got), len(want))
			}
		})
	}
}

// TestSketchRefusesLies: symbols a server made up are refused, or decode to
// no more than the sets can hold; they never loop or panic.
func TestSketchRefusesLies(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	server, client, _, _ := randomSets(rng, 200, 5, 5)
	salt := rng.Uint64()
	good := EncodeSymbols(salt, server, 0, 64)

	// Symbol 0 emptied: the rest cannot be.
	lie := slices.Clone(good)
	lie[0] = EncodeSymbols(salt, client, 0, 1)[0]
	dec := NewSketchDecoder(salt, client, uint64(len(server)))
	err := dec.Add(lie)
	for m := 128; err == nil && m <= 1024; m *= 2 {
		var done bool
		if done, err = dec.Done(); done && err == nil {
			t.Fatal("a sketch with symbol 0 forged decoded")
		}
		if err == nil {
			err = dec.Add(EncodeSymbols(salt, server, dec.Len(), m))
		}
	}
	if !errors.Is(err, ErrSketch) {
		t.Fatalf("a sketch with symbol 0 forged: %v", err)
	}

	// Noise decodes to nothing, or to an error; never to more than the server holds.
	noise := make([]CodedSymbol, 256)
	for i := range noise {
		noise[i] = CodedSymbol{Key: rng.Uint64(), Seq: rng.Uint64(), Check: rng.Uint32(), Count: uint8(rng.Uint32())}
	}
	dec = NewSketchDecoder(salt, client, 3)
	if err := dec.Add(noise); err == nil && uint64(len(dec.Theirs())) > 3 {
		t.Fatal("decoded more than the server holds")
	}
}

// TestSketchSymbolVector pins the mapping and the symbol layout with a small
// worked example, so another implementation can check its own (PROTOCOL.md
// quotes it).
func TestSketchSymbolVector(t *testing.T) {
	t.Parallel()
	items := []SyncItem{{Key: SyncKey("12D3KooWPB8NN1RqGvFgdCDXhmCKXYsacZMeVPCZnUafvgcNEef9/tuesday-hope"), Seq: 1764547200000}, {Key: 1, Seq: 2}}
	const salt = 0x0123456789abcdef
	var got []int
	forEachIndex(itemSeed(salt, items[1]), 0, 64, func(i int) { got = append(got, i) })
	want := []int{0, 1, 3, 4, 14, 19, 40}
	if !slices.Equal(got, want) {
		t.Errorf("indices of item {1, 2} under salt %#x below 64: %v, want %v", uint64(salt), got, want)
	}
	syms := EncodeSymbols(salt, items, 0, 2)
	if syms[0].Count != 2 || syms[0].Key != items[0].Key^items[1].Key || syms[1] != syms[0] {
		t.Errorf("symbols 0 and 1 hold every item: %+v", syms)
	}
	var s SetSum
	s.Add(SyncItem{Key: 1, Seq: 2})
	if s.Count != 1 || s.Hi != 0x8c7654ecfd7b0b62 || s.Lo != 0x3b803e2f4e02ad1c {
		t.Errorf("SetSum of {1, 2}: %+v", s)
	}
}

func TestSetSumAddsAndRemoves(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	var a, b, parts [3]SetSum
	items := make([]SyncItem, 300)
	for i := range items {
		items[i] = SyncItem{Key: rng.Uint64(), Seq: rng.Uint64()}
		a[0].Add(items[i])
		parts[i%3].Add(items[i])
	}
	for i := len(items) - 1; i >= 0; i-- {
		b[0].Add(items[i])
	}
	if a[0] != b[0] {
		t.Fatal("the sum depends on order")
	}
	var joined SetSum
	for _, p := range parts {
		joined.Plus(p)
	}
	if joined != a[0] {
		t.Fatal("sums of disjoint parts do not add up to the whole")
	}
	joined.Minus(parts[1])
	joined.Minus(parts[2])
	if joined != parts[0] {
		t.Fatal("Minus does not undo Plus")
	}
	b[0].Remove(items[7])
	b[0].Add(SyncItem{Key: items[7].Key, Seq: items[7].Seq + 1})
	if a[0] == b[0] {
		t.Fatal("a newer seq left the sum unchanged")
	}
}

// BenchmarkSketchOverhead reports how many coded symbols decode each
// differing item, added one at a time: the figure that sets the bytes a
// round costs per difference.
func BenchmarkSketchOverhead(b *testing.B) {
	for _, d := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprint("d=", d), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, uint64(d)))
			total := 0
			for range b.N {
				server, client, _, _ := randomSets(rng, 1000, d-d/2, d/2)
				salt := rng.Uint64()
				dec := NewSketchDecoder(salt, client, uint64(len(server)))
				for {
					if err := dec.Add(EncodeSymbols(salt, server, dec.Len(), dec.Len()+max(1, dec.Len()/32))); err != nil {
						b.Fatal(err)
					}
					if done, _ := dec.Done(); done {
						break
					}
				}
				total += dec.Len()
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(d), "symbols/difference")
		})
	}
}

// FuzzSketchDecode feeds arbitrary coded symbols to a decoder: it never
// panics or loops, never decodes more than the sets hold, and when it says
// done, every symbol is empty.
func FuzzSketchDecode(f *testing.F) {
	rng := rand.New(rand.NewPCG(8, 9))
	server, client, _, _ := randomSets(rng, 50, 3, 2)
	var seed bytes.Buffer
	w := NewSyncWriter(&seed)
	w.WriteSymbols(0, EncodeSymbols(42, server, 0, 40))
	w.Flush()
	_, body, _ := NewSyncReader(&seed).Next()
	f.Add(uint64(42), bytes.Clone(body))
	f.Add(uint64(7), []byte{0})
	f.Fuzz(func(t *testing.T, salt uint64, body []byte) {
		_, syms, err := DecodeSymbols(body)
		if err != nil {
			return
		}
		dec := NewSketchDecoder(salt, client, uint64(len(server)))
		if err := dec.Add(syms); err != nil {
			return
		}
		if len(dec.Theirs()) > len(server) || len(dec.Mine()) > len(client) {
			t.Fatal("decoded more than the sets hold")
		}
		if done, err := dec.Done(); done && err == nil {
			for i := range dec.diff {
				if !dec.diff[i].zero() {
					t.Fatal("done with a symbol not empty")
				}
			}
		}
		dec.Estimate()
	})
}

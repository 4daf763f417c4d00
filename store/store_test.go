package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// newKey returns a fresh store key.
func newKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// testLogger writes to t.Log, so Badger's warnings show with the failing test.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// openAt opens the store in dir and closes it when the test ends.
func openAt(t testing.TB, dir string, key []byte) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, EncryptionKey: key, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openTemp(t testing.TB) *Store {
	t.Helper()
	return openAt(t, t.TempDir(), newKey(t))
}

func TestReopenKeepsData(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	s := openAt(t, dir, key)
	if err := s.PutListing("hub/a", 3, []byte("envelope-a")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPeer(Peer{ID: "peer1", Trusted: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMember(Member{Nick: "ana", Salt: []byte("salt")}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheckIn("ana", bytes.Repeat([]byte{1}, CheckInIDLen), []byte("sealed")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMeta("own", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, dir, key)
	if seq, env, err := s.GetListing("hub/a"); err != nil || seq != 3 || string(env) != "envelope-a" {
		t.Errorf("listing after reopen: %d %q %v", seq, env, err)
	}
	if p, err := s.GetPeer("peer1"); err != nil || !p.Trusted {
		t.Errorf("peer after reopen: %+v %v", p, err)
	}
	if m, err := s.GetMember("ana"); err != nil || string(m.Salt) != "salt" {
		t.Errorf("member after reopen: %+v %v", m, err)
	}
	if cs, err := s.CheckIns("ana"); err != nil || len(cs) != 1 || string(cs[0].Sealed) != "sealed" {
		t.Errorf("check-ins after reopen: %v %v", cs, err)
	}
	if v, err := s.GetMeta("own"); err != nil || string(v) != "x" {
		t.Errorf("meta after reopen: %q %v", v, err)
	}
	if v, err := s.GetMeta(schemaKey); err != nil || string(v) != strconv.Itoa(SchemaVersion) {
		t.Errorf("schema version: %q %v", v, err)
	}
}

func TestOpenWhileInUse(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	openAt(t, dir, key)
	s2, err := Open(Options{Dir: dir, EncryptionKey: key})
	if err == nil {
		s2.Close()
		t.Fatal("second open of the same directory succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	msg := strings.ReplaceAll(err.Error(), dir, "")
	for _, leak := range []string{"lock", "acquire", "badger", "\n"} {
		if strings.Contains(strings.ToLower(msg), leak) {
			t.Errorf("message %q contains %q", err, leak)
		}
	}
}

func TestOpenWrongKey(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, newKey(t))
	s.Close()
	for name, key := range map[string][]byte{"other": newKey(t), "missing": nil, "short": make([]byte, 16)} {
		s, err := Open(Options{Dir: dir, EncryptionKey: key})
		if err == nil {
			s.Close()
			t.Errorf("%s key: opened", name)
			continue
		}
		if !errors.Is(err, ErrWrongKey) {
			t.Errorf("%s key: %v, want ErrWrongKey", name, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s key: message is not one line: %q", name, err)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	s := openAt(t, dir, key)
	newer := []byte(strconv.Itoa(SchemaVersion + 1))
	if err := s.PutMeta(schemaKey, newer); err == nil {
		t.Error("PutMeta wrote the schema version")
	}
	if err := s.putMeta(schemaKey, newer); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(Options{Dir: dir, EncryptionKey: key})
	if err == nil {
		s.Close()
		t.Fatal("opened a store with a newer schema")
	}
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade hearth") {
		t.Errorf("newer schema: %v", err)
	}
}

// A store of schema 1 (before safety plans, buddies and routines) opens
// and is stamped with the current version, its records untouched.
func TestOlderSchemaUpgraded(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	s := openAt(t, dir, key)
	if err := s.PutMember(Member{Nick: "ana", WrappedKey: []byte("k")}); err != nil {
		t.Fatal(err)
	}
	if err := s.putMeta(schemaKey, []byte("1")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openAt(t, dir, key)
	if v, err := s.GetMeta(schemaKey); err != nil || string(v) != strconv.Itoa(SchemaVersion) {
		t.Errorf("schema after upgrade: %q %v", v, err)
	}
	if m, err := s.GetMember("ana"); err != nil || string(m.WrappedKey) != "k" {
		t.Errorf("member after upgrade: %+v %v", m, err)
	}
}

func TestMetaNotFound(t *testing.T) {
	s := openTemp(t)
	if _, err := s.GetMeta("nothing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetMeta of a missing key: %v", err)
	}
}

func TestCloseTwiceThenClosed(t *testing.T) {
	s := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if err := s.PutListing("x", 1, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("put after close: %v", err)
	}
	if _, err := s.Peers(); !errors.Is(err, ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	if err := s.GC(); !errors.Is(err, ErrClosed) {
		t.Errorf("gc after close: %v", err)
	}
}

func TestGCAndSync(t *testing.T) {
	s := openTemp(t)
	for i := range 100 {
		if err := s.PutListing("hub/x", uint64(i+1), make([]byte, 2048)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := s.GC(); err != nil {
		t.Fatal(err)
	}
}

// TestEncryptedAtRest writes records carrying a marker and looks for it in
// every file of the store: Badger's encryption must cover the write-ahead
// log, the tables and the value log, while open and after close.
func TestEncryptedAtRest(t *testing.T) {
	const marker = "PLAINTEXT-MARKER-7f3a"
	dir := t.TempDir()
	s := openAt(t, dir, newKey(t))
	nick := "nick" + strings.ToLower(marker)
	if err := s.PutMember(Member{Nick: nick, Salt: []byte(marker)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheckIn(nick, bytes.Repeat([]byte{7}, CheckInIDLen), []byte("check-in "+marker)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutListing("hub/"+marker, 1, []byte(strings.Repeat(marker, 100))); err != nil {
		t.Fatal(err)
	}
	// Enough data to flush memtables into tables too.
	big := []byte(strings.Repeat(marker+" ", 200))
	for i := range 3000 {
		if err := s.PutListing(fmt.Sprintf("hub/bulk%d", i), 1, big); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	assertAbsent(t, dir, marker)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertAbsent(t, dir, marker)
}

// assertAbsent fails if any file under dir contains s.
func assertAbsent(t *testing.T, dir, s string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a memtable flushed and removed meanwhile
		}
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("%s holds %q in plain text", filepath.Base(path), s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no files in the store directory")
	}
}

package store

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestLockouts(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	key := func(b byte) []byte { return bytes.Repeat([]byte{b}, LockoutKeyLen) }

	if _, err := s.GetLockout(key(1)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	if err := s.PutLockout([]byte("short"), Lockout{}); err == nil {
		t.Error("a short key was taken")
	}
	fresh := Lockout{Failures: 4, LockedUntil: now.Add(2 * time.Second), Last: now}
	old := Lockout{Failures: 1, Last: now.Add(-48 * time.Hour)}
	oldButLocked := Lockout{Failures: 20, LockedUntil: now.Add(time.Minute), Last: now.Add(-48 * time.Hour)}
	for i, l := range []Lockout{fresh, old, oldButLocked} {
		if err := s.PutLockout(key(byte(i+1)), l); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.GetLockout(key(1)); err != nil || got.Failures != 4 || !got.LockedUntil.Equal(fresh.LockedUntil) || !got.Last.Equal(now) {
		t.Errorf("get: %+v %v", got, err)
	}
	n, err := s.SweepLockouts(now, 24*time.Hour)
	if err != nil || n != 1 {
		t.Errorf("sweep: %d %v, want 1", n, err)
	}
	if _, err := s.GetLockout(key(2)); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old lockout survived the sweep: %v", err)
	}
	for _, b := range []byte{1, 3} {
		if _, err := s.GetLockout(key(b)); err != nil {
			t.Errorf("lockout %d swept: %v", b, err)
		}
	}
	if err := s.DeleteLockout(key(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLockout(key(9)); err != nil {
		t.Errorf("deleting a missing lockout: %v", err)
	}
	if _, err := s.GetLockout(key(1)); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

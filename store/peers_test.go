package store

import (
	"errors"
	"testing"
	"time"
)

func TestPeers(t *testing.T) {
	s := openTemp(t)
	added := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, p := range []Peer{
		{ID: "peerC", Blocked: true, Added: added},
		{ID: "peerA", Addrs: []string{"/ip4/10.0.0.2/tcp/4001"}, Keep: true, Added: added},
		{ID: "peerB", Trusted: true, Added: added},
	} {
		if err := s.PutPeer(p); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.GetPeer("peerA")
	if err != nil || !p.Keep || len(p.Addrs) != 1 || !p.Added.Equal(added) {
		t.Errorf("get: %+v %v", p, err)
	}
	p.Trusted = true
	if err := s.PutPeer(p); err != nil {
		t.Fatal(err)
	}
	list, err := s.Peers()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != "peerA" || list[1].ID != "peerB" || list[2].ID != "peerC" || !list[0].Trusted || !list[2].Blocked {
		t.Errorf("peers: %+v", list)
	}
	if err := s.DeletePeer("peerB"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPeer("peerB"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get deleted: %v", err)
	}
	if err := s.DeletePeer("peerB"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	if err := s.PutPeer(Peer{}); err == nil {
		t.Error("peer with no ID stored")
	}
}

package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Peer is an entry in the hub's peer book: a hub the operator declared,
// trusted or blocked. Hubs met only through discovery are not kept.
type Peer struct {
	// ID is the hub's peer ID, as text.
	ID string `json:"id"`
	// Addrs are the multiaddrs to dial it at, as text.
	Addrs []string `json:"addrs,omitempty"`
	// Trusted hubs' listings are accepted under the trusted-only policy.
	Trusted bool `json:"trusted,omitempty"`
	// Blocked hubs are refused at connection and their listings purged.
	Blocked bool `json:"blocked,omitempty"`
	// Keep: the operator added this peer; the node keeps it connected.
	Keep bool `json:"keep,omitempty"`
	// Added is when the entry was made.
	Added time.Time `json:"added"`
}

// PutPeer adds or replaces a peer book entry.
func (s *Store) PutPeer(p Peer) error {
	if err := checkID("peer", p.ID); err != nil {
		return err
	}
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: put peer: %w", err)
	}
	// Synced: the operator was told the change is made, and a block must
	// survive a power cut.
	err = s.update(true, func(txn *badger.Txn) error {
		return txn.Set(peerKey(p.ID), v)
	})
	if err != nil {
		return fmt.Errorf("store: put peer: %w", err)
	}
	return nil
}

// GetPeer returns a peer book entry; ErrNotFound if there is none.
func (s *Store) GetPeer(id string) (Peer, error) {
	var v []byte
	err := s.view(func(txn *badger.Txn) error {
		var err error
		v, err = get(txn, peerKey(id))
		return err
	})
	if err != nil {
		return Peer{}, fmt.Errorf("store: peer %s: %w", id, err)
	}
	var p Peer
	if err := json.Unmarshal(v, &p); err != nil {
		return Peer{}, fmt.Errorf("store: peer %s: %w", id, err)
	}
	return p, nil
}

// DeletePeer removes a peer book entry; ErrNotFound if there is none.
func (s *Store) DeletePeer(id string) error {
	err := s.update(true, func(txn *badger.Txn) error {
		if _, err := get(txn, peerKey(id)); err != nil {
			return err
		}
		return txn.Delete(peerKey(id))
	})
	if err != nil {
		return fmt.Errorf("store: delete peer %s: %w", id, err)
	}
	return nil
}

// Peers returns the whole peer book, sorted by ID.
func (s *Store) Peers() ([]Peer, error) {
	var peers []Peer
	err := s.view(func(txn *badger.Txn) error {
		return forEach(txn, []byte{prefixPeer}, func(rest, v []byte) error {
			var p Peer
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("peer %s: %w", rest, err)
			}
			peers = append(peers, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: peers: %w", err)
	}
	// Key order is ID order already; sorting says so to the reader and
	// keeps it true if the key layout changes.
	slices.SortFunc(peers, func(a, b Peer) int { return strings.Compare(a.ID, b.ID) })
	return peers, nil
}

func peerKey(id string) []byte { return tableKey(prefixPeer, id) }

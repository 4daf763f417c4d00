package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// A member's sealed records beside their account and check-ins: one safety
// plan, one buddy book, one routine. Package members seals them; here they
// are opaque bytes under the member's nickname, dropped with the member.
//
// Two tables hold what members share with someone who has not unlocked
// them, keyed so that the store cannot tell whose a record is:
//
//   - A buddy signal is one member's side of a buddy link (when they last
//     checked in, and whether they asked for a call), sealed under a key
//     only the two buddies' sealed books hold, under a random ID only those
//     books name. The store sees neither the nickname nor the pair.
//   - A calendar feed is a member's meetings, sealed under a key derived
//     from the secret in the feed's address and stored under a hash of that
//     secret: the store never holds the secret.
//
// Every write of these checks, in its transaction, that the member it is
// for still has an account: a session that outlived an erasure must not
// leave behind a record someone else could still read.

// Lengths of the IDs of shared records.
const (
	SignalIDLen = 16
	FeedIDLen   = 32
)

// Signal is one buddy signal: its ID and the sealed bytes.
type Signal struct {
	ID     []byte
	Sealed []byte
}

// Feed is one calendar feed: its ID (the hash of its secret) and the
// sealed bytes.
type Feed struct {
	ID     []byte
	Sealed []byte
}

// Shared names the records outside a member's own key ranges that are
// theirs: the signals of their buddy links (both sides) and their calendar
// feed. Only the member's sealed records say which these are, so whoever
// erases the member passes them to DeleteMember.
type Shared struct {
	Signals [][]byte
	Feeds   [][]byte
}

// PutSafetyPlan stores a member's sealed safety plan, or deletes it if
// sealed is nil, flushed to disk before it returns. ErrNotFound if the
// member has no account.
func (s *Store) PutSafetyPlan(nick string, sealed []byte) error {
	err := s.writeForMember(nick, func(txn *badger.Txn) error {
		if sealed == nil {
			return txn.Delete(nickKey(prefixSafetyPlan, nick))
		}
		return txn.Set(nickKey(prefixSafetyPlan, nick), sealed)
	})
	if err != nil {
		return fmt.Errorf("store: put safety plan: %w", err)
	}
	return nil
}

// GetSafetyPlan returns a member's sealed safety plan; ErrNotFound if they
// have none.
func (s *Store) GetSafetyPlan(nick string) ([]byte, error) {
	return s.getNickRecord("safety plan", prefixSafetyPlan, nick)
}

// PutBuddies stores a member's sealed buddy book and, in the same
// transaction, writes the signals in put and deletes those whose IDs are
// in drop (missing ones are no error): a link is made, offered or ended
// whole or not at all. Flushed to disk before it returns; ErrNotFound if
// the member has no account.
func (s *Store) PutBuddies(nick string, sealed []byte, put []Signal, drop [][]byte) error {
	if err := checkSignalIDs(put, drop); err != nil {
		return fmt.Errorf("store: put buddies: %w", err)
	}
	err := s.writeForMember(nick, func(txn *badger.Txn) error {
		if err := txn.Set(nickKey(prefixBuddies, nick), sealed); err != nil {
			return err
		}
		return writeSignals(txn, put, drop)
	})
	if err != nil {
		return fmt.Errorf("store: put buddies: %w", err)
	}
	return nil
}

// GetBuddies returns a member's sealed buddy book; ErrNotFound if they
// have none.
func (s *Store) GetBuddies(nick string) ([]byte, error) {
	return s.getNickRecord("buddies", prefixBuddies, nick)
}

// PutSignals writes signals of owner's links (after a check-in, say),
// flushed to disk before it returns. ErrNotFound if owner has no account.
func (s *Store) PutSignals(owner string, put []Signal) error {
	if err := checkSignalIDs(put, nil); err != nil {
		return fmt.Errorf("store: put signals: %w", err)
	}
	err := s.writeForMember(owner, func(txn *badger.Txn) error {
		return writeSignals(txn, put, nil)
	})
	if err != nil {
		return fmt.Errorf("store: put signals: %w", err)
	}
	return nil
}

// GetSignal returns a sealed signal; ErrNotFound if there is none (the
// link was ended, or never completed).
func (s *Store) GetSignal(id []byte) ([]byte, error) {
	if len(id) != SignalIDLen {
		return nil, fmt.Errorf("store: signal: ID is %d bytes, want %d", len(id), SignalIDLen)
	}
	return s.getRecord("signal", tableKey(prefixSignal, string(id)))
}

// PutRoutine stores a member's sealed routine and, in the same
// transaction, their calendar feed: feed is written if its ID is set, and
// the feed under drop deleted if drop is set. Flushed to disk before it
// returns; ErrNotFound if the member has no account.
func (s *Store) PutRoutine(nick string, sealed []byte, feed Feed, drop []byte) error {
	for _, id := range [][]byte{feed.ID, drop} {
		if id != nil && len(id) != FeedIDLen {
			return fmt.Errorf("store: put routine: feed ID is %d bytes, want %d", len(id), FeedIDLen)
		}
	}
	err := s.writeForMember(nick, func(txn *badger.Txn) error {
		if err := txn.Set(nickKey(prefixRoutine, nick), sealed); err != nil {
			return err
		}
		if drop != nil {
			if err := txn.Delete(tableKey(prefixFeed, string(drop))); err != nil {
				return err
			}
		}
		if feed.ID != nil {
			return txn.Set(tableKey(prefixFeed, string(feed.ID)), feed.Sealed)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put routine: %w", err)
	}
	return nil
}

// GetRoutine returns a member's sealed routine; ErrNotFound if they have
// none.
func (s *Store) GetRoutine(nick string) ([]byte, error) {
	return s.getNickRecord("routine", prefixRoutine, nick)
}

// GetFeed returns a sealed calendar feed; ErrNotFound if there is none.
func (s *Store) GetFeed(id []byte) ([]byte, error) {
	if len(id) != FeedIDLen {
		return nil, fmt.Errorf("store: feed: ID is %d bytes, want %d", len(id), FeedIDLen)
	}
	return s.getRecord("feed", tableKey(prefixFeed, string(id)))
}

// HasRecords reports whether anything of a member's is stored besides
// their account record: check-ins, a plan, a buddy book, a routine. With
// no account, these are left over from an erasure cut short.
func (s *Store) HasRecords(nick string) (bool, error) {
	if err := checkNick(nick); err != nil {
		return false, err
	}
	found := false
	err := s.view(func(txn *badger.Txn) error {
		for _, p := range memberRanges(nick)[1:] {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
			it.Rewind()
			found = it.ValidForPrefix(p)
			it.Close()
			if found {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: records: %w", err)
	}
	return found, nil
}

// LatestCheckInID returns the ID of a member's newest check-in (IDs sort by
// time), reading keys only; ErrNotFound if they have none.
func (s *Store) LatestCheckInID(nick string) ([]byte, error) {
	if err := checkNick(nick); err != nil {
		return nil, err
	}
	var id []byte
	err := s.view(func(txn *badger.Txn) error {
		prefix := checkInPrefix(nick)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true})
		defer it.Close()
		// In reverse, Seek finds the last key at or before the one given:
		// past every ID of the range.
		it.Seek(append(prefix, bytes.Repeat([]byte{0xff}, CheckInIDLen+1)...))
		if !it.ValidForPrefix(prefix) {
			return ErrNotFound
		}
		id = it.Item().KeyCopy(nil)[len(prefix):]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: latest check-in: %w", err)
	}
	return id, nil
}

// writeForMember runs fn in a synced write transaction that first reads
// the member's account record, so an erasure committed meanwhile makes it
// conflict and retry, and the retry finds no member (ErrNotFound).
func (s *Store) writeForMember(nick string, fn func(*badger.Txn) error) error {
	if err := checkNick(nick); err != nil {
		return err
	}
	return s.update(true, func(txn *badger.Txn) error {
		if _, err := txn.Get(memberKey(nick)); err != nil {
			if errors.Is(err, badger.ErrKeyNotFound) {
				return ErrNotFound
			}
			return err
		}
		return fn(txn)
	})
}

func (s *Store) getNickRecord(what string, prefix byte, nick string) ([]byte, error) {
	if err := checkNick(nick); err != nil {
		return nil, err
	}
	return s.getRecord(what, nickKey(prefix, nick))
}

func (s *Store) getRecord(what string, key []byte) ([]byte, error) {
	var v []byte
	err := s.view(func(txn *badger.Txn) error {
		var err error
		v, err = get(txn, key)
		return err
	})
	if err != nil {
		// Neither the nickname nor the ID goes in the message: errors get
		// logged.
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return v, nil
}

func writeSignals(txn *badger.Txn, put []Signal, drop [][]byte) error {
	for _, id := range drop {
		if err := txn.Delete(tableKey(prefixSignal, string(id))); err != nil {
			return err
		}
	}
	for _, sg := range put {
		if err := txn.Set(tableKey(prefixSignal, string(sg.ID)), sg.Sealed); err != nil {
			return err
		}
	}
	return nil
}

func checkSignalIDs(put []Signal, drop [][]byte) error {
	for _, sg := range put {
		if len(sg.ID) != SignalIDLen {
			return fmt.Errorf("signal ID is %d bytes, want %d", len(sg.ID), SignalIDLen)
		}
	}
	for _, id := range drop {
		if len(id) != SignalIDLen {
			return fmt.Errorf("signal ID is %d bytes, want %d", len(id), SignalIDLen)
		}
	}
	return nil
}

// sharedKeys are the keys of the shared records named.
func (sh Shared) keys() [][]byte {
	var keys [][]byte
	for _, id := range sh.Signals {
		if len(id) == SignalIDLen {
			keys = append(keys, tableKey(prefixSignal, string(id)))
		}
	}
	for _, id := range sh.Feeds {
		if len(id) == FeedIDLen {
			keys = append(keys, tableKey(prefixFeed, string(id)))
		}
	}
	return keys
}

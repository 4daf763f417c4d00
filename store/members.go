package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// KDFParams are the argon2id parameters a member's key-encryption key was
// derived with. Each member keeps their own, so raising the defaults later
// does not lock out existing members.
type KDFParams struct {
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// Member is a member's account record. The store keeps it as data only:
// deriving, wrapping and sealing are package members' work, and Profile is
// sealed bytes this package cannot read.
type Member struct {
	// Nick is the member's nickname, lower-case; it is the record's key.
	Nick    string    `json:"nick"`
	Created time.Time `json:"created"`
	// KDF, Salt and WrappedKey: the member's data key, sealed under a key
	// derived from their PIN with these parameters and salt.
	KDF        KDFParams `json:"kdf"`
	Salt       []byte    `json:"salt"`
	WrappedKey []byte    `json:"wrapped_key"`
	// Profile is the member's sealed profile (sober-since date), or nil.
	Profile []byte `json:"profile,omitempty"`
}

// SealedCheckIn is one stored check-in: its 16-byte time-ordered ID and
// the sealed bytes package members wrote.
type SealedCheckIn struct {
	ID     []byte
	Sealed []byte
}

// CheckInIDLen is the length of a check-in ID.
const CheckInIDLen = 16

// maxNickLen is what the one-byte length prefix in member keys can hold.
const maxNickLen = 255

// PutMember adds or replaces a member's record, flushed to disk before it
// returns: a new account, or a lockout after wrong PINs, must survive a
// crash.
func (s *Store) PutMember(m Member) error {
	if err := checkNick(m.Nick); err != nil {
		return err
	}
	v, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: put member: %w", err)
	}
	err = s.update(true, func(txn *badger.Txn) error {
		return txn.Set(memberKey(m.Nick), v)
	})
	if err != nil {
		return fmt.Errorf("store: put member: %w", err)
	}
	return nil
}

// GetMember returns a member's record; ErrNotFound if there is none.
func (s *Store) GetMember(nick string) (Member, error) {
	if err := checkNick(nick); err != nil {
		return Member{}, err
	}
	var v []byte
	err := s.view(func(txn *badger.Txn) error {
		var err error
		v, err = get(txn, memberKey(nick))
		return err
	})
	if err != nil {
		// The nickname stays out of the message: errors get logged.
		return Member{}, fmt.Errorf("store: member: %w", err)
	}
	var m Member
	if err := json.Unmarshal(v, &m); err != nil {
		return Member{}, fmt.Errorf("store: member: %w", err)
	}
	return m, nil
}

// Members returns every member's record, sorted by nickname.
func (s *Store) Members() ([]Member, error) {
	var list []Member
	err := s.view(func(txn *badger.Txn) error {
		return forEach(txn, []byte{prefixMember}, func(_, v []byte) error {
			var m Member
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			list = append(list, m)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	// Keys sort by nickname length first (see the key layout).
	slices.SortFunc(list, func(a, b Member) int { return strings.Compare(a.Nick, b.Nick) })
	return list, nil
}

// eraseChunk is how many deletions go in one transaction when erasing a
// member, well under Badger's per-transaction limit.
const eraseChunk = 1000

// DeleteMember erases a member: their record (with the wrapped key, so
// what is left can no longer be opened), every check-in they wrote, their
// safety plan, buddy book and routine, and the shared records named (their
// buddy signals and calendar feed), flushed to disk before it returns.
// ErrNotFound if there is neither a record nor any of the rest under that
// nickname; records left without an account (an erasure cut short) are
// erased too.
//
// Deleting in Badger only writes tombstones: older versions of the records
// stay in its files until compaction gets to them. So the member's key
// ranges and shared records are first dropped outright (DropPrefix
// rewrites the tables that hold them); tombstones then cover anything that
// drop missed. Writes from other callers wait for the drop rather than
// fail.
func (s *Store) DeleteMember(nick string, shared Shared) error {
	if err := checkNick(nick); err != nil {
		return err
	}
	if !s.enter() {
		return ErrClosed
	}
	defer s.leave()
	ranges := append(memberRanges(nick), shared.keys()...)
	mk := ranges[0]
	err := s.db.View(func(txn *badger.Txn) error {
		for _, p := range ranges {
			if len(keysWithPrefix(txn, p)) > 0 {
				return nil
			}
		}
		return ErrNotFound
	})
	if err != nil {
		return fmt.Errorf("store: delete member: %w", err)
	}

	s.writes.Lock()
	dropErr := s.db.DropPrefix(ranges...)
	s.writes.Unlock()

	// Whatever is still visible: nothing after a good drop, everything
	// after a failed one. The member's record goes first, in the first
	// transaction: without the wrapped key the rest is unreadable even if
	// a later chunk fails.
	var keys [][]byte
	err = s.db.View(func(txn *badger.Txn) error {
		if _, err := get(txn, mk); err == nil {
			keys = append(keys, mk)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		for _, p := range ranges[1:] {
			keys = append(keys, keysWithPrefix(txn, p)...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete member: %w", err)
	}
	for chunk := range slices.Chunk(keys, eraseChunk) {
		err := s.updateEntered(false, func(txn *badger.Txn) error {
			for _, k := range chunk {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: delete member: %w", err)
		}
	}
	if err := s.syncDB(); err != nil {
		return err
	}
	if dropErr != nil {
		// The member is gone for every reader; only the purge of old
		// versions failed, and compaction will get to them in time.
		s.log.Warn("store: an erased member's old records are deleted but not yet purged from disk", "err", dropErr)
	}
	return nil
}

// PutCheckIn stores a member's sealed check-in under its 16-byte ID,
// flushed to disk before it returns: a member told "saved" must find it
// after a crash or a power cut (DESIGN: "SyncWrites for check-ins").
// ErrNotFound if the member does not exist, so a session that outlived an
// erasure cannot write records nobody can read.
//
// The sync covers the active memtable's log, which is where the write
// lands; only if another write fills that memtable in the microseconds
// before the sync does the record sit in a log Badger flushes (and syncs)
// into a table a moment later instead.
func (s *Store) PutCheckIn(nick string, id []byte, sealed []byte) error {
	if err := checkNick(nick); err != nil {
		return err
	}
	if len(id) != CheckInIDLen {
		return fmt.Errorf("store: put check-in: ID is %d bytes, want %d", len(id), CheckInIDLen)
	}
	k := append(checkInPrefix(nick), id...)
	err := s.update(true, func(txn *badger.Txn) error {
		// Reading the member puts it in this transaction's read set: an
		// erasure committed meanwhile makes this one conflict and retry,
		// and the retry finds no member.
		if _, err := txn.Get(memberKey(nick)); err != nil {
			if errors.Is(err, badger.ErrKeyNotFound) {
				return ErrNotFound
			}
			return err
		}
		return txn.Set(k, sealed)
	})
	if err != nil {
		return fmt.Errorf("store: put check-in: %w", err)
	}
	return nil
}

// CheckIns returns a member's sealed check-ins in ID order, oldest first.
func (s *Store) CheckIns(nick string) ([]SealedCheckIn, error) {
	if err := checkNick(nick); err != nil {
		return nil, err
	}
	var list []SealedCheckIn
	err := s.view(func(txn *badger.Txn) error {
		return forEach(txn, checkInPrefix(nick), func(rest, v []byte) error {
			list = append(list, SealedCheckIn{ID: slices.Clone(rest), Sealed: v})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: check-ins: %w", err)
	}
	return list, nil
}

// CountCheckIns returns how many check-ins a member has, reading keys only.
func (s *Store) CountCheckIns(nick string) (int, error) {
	if err := checkNick(nick); err != nil {
		return 0, err
	}
	n := 0
	err := s.view(func(txn *badger.Txn) error {
		prefix := checkInPrefix(nick)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: count check-ins: %w", err)
	}
	return n, nil
}

// nickKey is a table's prefix, the nickname's length, the nickname: the
// key of a member's one record in that table, or the start of every key of
// their records in it.
func nickKey(prefix byte, nick string) []byte {
	k := make([]byte, 0, 2+len(nick)+CheckInIDLen)
	return append(append(k, prefix, byte(len(nick))), nick...)
}

// memberKey is the key of a member's account record.
func memberKey(nick string) []byte { return nickKey(prefixMember, nick) }

// checkInPrefix starts every check-in key of a member; then its 16-byte ID.
func checkInPrefix(nick string) []byte { return nickKey(prefixCheckIn, nick) }

// memberRanges are the prefixes of everything a member has under their
// nickname, their account record first.
func memberRanges(nick string) [][]byte {
	return [][]byte{
		memberKey(nick), checkInPrefix(nick),
		nickKey(prefixSafetyPlan, nick), nickKey(prefixBuddies, nick), nickKey(prefixRoutine, nick),
	}
}

// checkNick refuses nicknames that cannot be keys. The rules members see
// are package members'; this only protects the key layout.
func checkNick(nick string) error {
	if nick == "" || len(nick) > maxNickLen {
		return fmt.Errorf("store: nickname must be 1 to %d bytes", maxNickLen)
	}
	return nil
}

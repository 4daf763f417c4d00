package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Lockout is the wrong-PIN record of one name typed at sign-in, whether or
// not a member has that nickname: package members keeps the two alike, so
// a lock never tells who has an account. It is keyed by a LockoutKeyLen-byte
// key package members derives from the name, so what people typed in the
// nickname box is not kept on disk as typed.
type Lockout struct {
	// Failures counts attempts in a row that were not a right PIN,
	// including the one under way (an attempt is counted before its PIN is
	// checked).
	Failures int `json:"failures"`
	// LockedUntil is when the next attempt is allowed.
	LockedUntil time.Time `json:"locked_until,omitzero"`
	// Last is when the last attempt began; old records are swept.
	Last time.Time `json:"last"`
}

// LockoutKeyLen is the length of a lockout record's key.
const LockoutKeyLen = 32

// PutLockout stores a name's lockout, flushed to disk before it returns: a
// lock must survive a crash or a restart, for every name alike.
func (s *Store) PutLockout(key []byte, l Lockout) error {
	if len(key) != LockoutKeyLen {
		return fmt.Errorf("store: put lockout: key is %d bytes, want %d", len(key), LockoutKeyLen)
	}
	v, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("store: put lockout: %w", err)
	}
	err = s.update(true, func(txn *badger.Txn) error {
		return txn.Set(lockoutKey(key), v)
	})
	if err != nil {
		return fmt.Errorf("store: put lockout: %w", err)
	}
	return nil
}

// GetLockout returns a name's lockout; ErrNotFound if it has none.
func (s *Store) GetLockout(key []byte) (Lockout, error) {
	var v []byte
	err := s.view(func(txn *badger.Txn) error {
		var err error
		v, err = get(txn, lockoutKey(key))
		return err
	})
	if err != nil {
		return Lockout{}, fmt.Errorf("store: lockout: %w", err)
	}
	var l Lockout
	if err := json.Unmarshal(v, &l); err != nil {
		return Lockout{}, fmt.Errorf("store: lockout: %w", err)
	}
	return l, nil
}

// DeleteLockout forgets a name's lockout, flushed to disk. Deleting one
// that is not there is not an error.
func (s *Store) DeleteLockout(key []byte) error {
	err := s.update(true, func(txn *badger.Txn) error {
		return txn.Delete(lockoutKey(key))
	})
	if err != nil {
		return fmt.Errorf("store: delete lockout: %w", err)
	}
	return nil
}

// SweepLockouts deletes the lockouts whose last attempt is more than idle
// before now and whose lock has run out, and returns how many it deleted.
func (s *Store) SweepLockouts(now time.Time, idle time.Duration) (int, error) {
	cutoff := now.Add(-idle)
	var old [][]byte
	err := s.view(func(txn *badger.Txn) error {
		return forEach(txn, []byte{prefixLockout}, func(rest, v []byte) error {
			var l Lockout
			if json.Unmarshal(v, &l) != nil || l.Last.Before(cutoff) && !l.LockedUntil.After(now) {
				old = append(old, lockoutKey(rest))
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store: sweep lockouts: %w", err)
	}
	for chunk := range slices.Chunk(old, eraseChunk) {
		err := s.update(false, func(txn *badger.Txn) error {
			for _, k := range chunk {
				if err := txn.Delete(k); err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("store: sweep lockouts: %w", err)
		}
	}
	return len(old), nil
}

func lockoutKey(key []byte) []byte {
	return append([]byte{prefixLockout}, key...)
}

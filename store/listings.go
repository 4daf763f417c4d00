package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"hearth/protocol"
)

// maxIDLen caps a listing or peer ID used as a key. Real ones are far
// shorter (a peer ID and a slug); Badger refuses keys over 64 KiB.
const maxIDLen = 1 << 10

// seqLen is the 8-byte big-endian seq that starts every listing value.
const seqLen = 8

// PutListing stores a listing's signed envelope, verbatim, if seq is newer
// than the stored one. The comparison and the write are one transaction,
// so two hubs delivering versions of the same listing at once cannot leave
// the older one stored. If the stored seq is the same or newer it returns
// an error wrapping protocol.ErrStale.
func (s *Store) PutListing(id string, seq uint64, envelope []byte) error {
	if err := checkID("listing", id); err != nil {
		return err
	}
	k := listingKey(id)
	value := make([]byte, seqLen+len(envelope))
	binary.BigEndian.PutUint64(value, seq)
	copy(value[seqLen:], envelope)
	err := s.update(false, func(txn *badger.Txn) error {
		item, err := txn.Get(k)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			var stored uint64
			err := item.Value(func(v []byte) error {
				if len(v) < seqLen {
					return errors.New("stored value too short")
				}
				stored = binary.BigEndian.Uint64(v)
				return nil
			})
			if err != nil {
				return err
			}
			if stored >= seq {
				return fmt.Errorf("%w: %s seq %d, holding %d", protocol.ErrStale, id, seq, stored)
			}
		}
		return txn.Set(k, value)
	})
	if err != nil {
		return fmt.Errorf("store: put listing: %w", err)
	}
	return nil
}

// GetListing returns a listing's seq and envelope; ErrNotFound if the
// store does not hold it.
func (s *Store) GetListing(id string) (seq uint64, envelope []byte, err error) {
	var v []byte
	err = s.view(func(txn *badger.Txn) error {
		v, err = get(txn, listingKey(id))
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("store: listing %s: %w", id, err)
	}
	seq, envelope, err = splitListing(v)
	if err != nil {
		return 0, nil, fmt.Errorf("store: listing %s: %w", id, err)
	}
	return seq, envelope, nil
}

// ForEachListing calls fn for every stored listing, in ID order, stopping
// at (and returning) the first error fn returns. The envelope is a copy the
// caller may keep: listings are loaded once at start, where a copy costs
// little next to decoding it, and a retained view into Badger's memory
// would be a bug waiting to happen. fn may call other Store methods.
func (s *Store) ForEachListing(fn func(id string, seq uint64, envelope []byte) error) error {
	prefix := []byte{prefixListing}
	var fnErr error
	err := s.view(func(txn *badger.Txn) error {
		return forEach(txn, prefix, func(rest, v []byte) error {
			seq, envelope, err := splitListing(v)
			if err != nil {
				return fmt.Errorf("listing %s: %w", rest, err)
			}
			if fnErr = fn(string(rest), seq, envelope); fnErr != nil {
				return fnErr
			}
			return nil
		})
	})
	if fnErr != nil {
		return fnErr // the caller's own error, unwrapped
	}
	if err != nil {
		return fmt.Errorf("store: listings: %w", err)
	}
	return nil
}

// DeleteListing removes a listing. Removing one the store does not hold is
// not an error: an expiry sweep and a purge may race to remove the same one.
func (s *Store) DeleteListing(id string) error {
	err := s.update(false, func(txn *badger.Txn) error {
		return txn.Delete(listingKey(id))
	})
	if err != nil {
		return fmt.Errorf("store: delete listing: %w", err)
	}
	return nil
}

// DeleteListings removes many listings at once (a purge of a blocked hub,
// the expiry sweep at start), batched so any number fits. IDs the store
// does not hold are skipped. Not atomic: after an error, some may be gone.
func (s *Store) DeleteListings(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if !s.enter() {
		return ErrClosed
	}
	defer s.leave()
	s.writes.RLock()
	defer s.writes.RUnlock()
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, id := range ids {
		if err := wb.Delete(listingKey(id)); err != nil {
			return fmt.Errorf("store: delete listings: %w", err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store: delete listings: %w", err)
	}
	return nil
}

func listingKey(id string) []byte { return tableKey(prefixListing, id) }

// splitListing splits a stored listing value into its seq and envelope.
func splitListing(v []byte) (uint64, []byte, error) {
	if len(v) < seqLen {
		return 0, nil, errors.New("stored value too short: the store is damaged")
	}
	return binary.BigEndian.Uint64(v), v[seqLen:], nil
}

// checkID refuses IDs that cannot be keys.
func checkID(what, id string) error {
	if id == "" {
		return fmt.Errorf("store: %s ID is empty", what)
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("store: %s ID is %d bytes, at most %d", what, len(id), maxIDLen)
	}
	return nil
}

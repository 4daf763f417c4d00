package store

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/dgraph-io/badger/v4"
)

// SchemaVersion is the layout of the records this package writes. Open
// writes it into a new store and refuses a store with a newer one, since
// an older Hearth could misread or damage what a newer one wrote.
//
//	1 (2026-11-28): first version.
//	2 (2026-12-04): safety plans, buddy books and signals, routines and
//	   calendar feeds. Nothing older changes; the bump keeps an older Hearth
//	   out, since it would erase a member and leave these behind (a buddy
//	   could go on reading the erased member's signal).
const SchemaVersion = 2

// schemaKey is the meta key the schema version lives under, as decimal
// text. PutMeta refuses it: only migrate writes it.
const schemaKey = "schema_version"

// GetMeta returns the value stored under a meta key; ErrNotFound if none.
func (s *Store) GetMeta(key string) ([]byte, error) {
	var v []byte
	err := s.view(func(txn *badger.Txn) error {
		var err error
		v, err = get(txn, metaKey(key))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: meta %q: %w", key, err)
	}
	return v, nil
}

// PutMeta stores v under a meta key, replacing what was there.
func (s *Store) PutMeta(key string, v []byte) error {
	if key == "" {
		return errors.New("store: put meta: empty key")
	}
	if key == schemaKey {
		return fmt.Errorf("store: put meta: %q is reserved for the store's schema version", key)
	}
	return s.putMeta(key, v)
}

func (s *Store) putMeta(key string, v []byte) error {
	err := s.update(true, func(txn *badger.Txn) error {
		return txn.Set(metaKey(key), v)
	})
	if err != nil {
		return fmt.Errorf("store: put meta %q: %w", key, err)
	}
	return nil
}

// migrate brings the store to SchemaVersion: it stamps a new store,
// refuses one from the future, and runs the upgrade steps from the
// store's version on, one per version, in order.
func (s *Store) migrate() error {
	v, err := s.GetMeta(schemaKey)
	if errors.Is(err, ErrNotFound) {
		return s.stampSchema()
	}
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(string(v))
	if err != nil || version < 1 {
		return fmt.Errorf("store: schema version %q is not a version: the store is damaged; restore it from a backup", v)
	}
	if version > SchemaVersion {
		return fmt.Errorf("%w (schema %d, this one reads up to %d): upgrade hearth", ErrNewerSchema, version, SchemaVersion)
	}
	if version < SchemaVersion {
		// 1 -> 2 only adds tables: there is nothing to convert.
		return s.stampSchema()
	}
	return nil
}

func (s *Store) stampSchema() error {
	return s.putMeta(schemaKey, []byte(strconv.Itoa(SchemaVersion)))
}

func metaKey(k string) []byte { return tableKey(prefixMeta, k) }

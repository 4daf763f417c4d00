package members

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"

	"hearth/store"
)

// Sizes.
const (
	keyLen  = chacha20poly1305.KeySize // data keys and key-encryption keys
	saltLen = 16
)

// Bounds on stored argon2id parameters. A record asking for more is damaged
// or tampered with: refusing it beats letting it exhaust the board's memory.
const (
	maxKDFTime      = 16
	maxKDFMemoryKiB = 1 << 20 // 1 GiB
	maxKDFThreads   = 16
)

// Associated data for each kind of sealed record: a domain, a version and
// the nickname (and the check-in ID), so a sealed blob only opens as what
// it was sealed as, for the member it was sealed for. Nicknames never
// contain a zero byte, so the fields cannot run into each other.
const (
	adKeyDomain     = "hearth/member-key/1\x00"
	adCheckInDomain = "hearth/check-in/1\x00"
	adProfileDomain = "hearth/profile/1\x00"
	adPlanDomain    = "hearth/safety-plan/1\x00"
	adBuddiesDomain = "hearth/buddies/1\x00"
	adRoutineDomain = "hearth/routine/1\x00"
	// A signal and a feed are sealed under keys of their own, not a
	// member's, and stored under IDs that name nobody: their associated
	// data is the ID, so a record opens only where it was written.
	adSignalDomain = "hearth/buddy-signal/1\x00"
	adFeedDomain   = "hearth/feed/1\x00"
)

// errAuth: a sealed blob did not open: a wrong key, or bytes not sealed
// for this place.
var errAuth = errors.New("message authentication failed")

func adKey(nick string) []byte     { return []byte(adKeyDomain + nick) }
func adProfile(nick string) []byte { return []byte(adProfileDomain + nick) }
func adPlan(nick string) []byte    { return []byte(adPlanDomain + nick) }
func adBuddies(nick string) []byte { return []byte(adBuddiesDomain + nick) }
func adRoutine(nick string) []byte { return []byte(adRoutineDomain + nick) }
func adSignal(id []byte) []byte    { return append([]byte(adSignalDomain), id...) }
func adFeed(id []byte) []byte      { return append([]byte(adFeedDomain), id...) }

func adCheckIn(nick string, id []byte) []byte {
	return append([]byte(adCheckInDomain+nick+"\x00"), id...)
}

// deriveKEK derives a member's key-encryption key from their PIN, in one
// of the book's slots: argon2id's memory is the largest thing a hub
// allocates, and a burst of sign-ins must not multiply it.
func (b *Book) deriveKEK(ctx context.Context, pin string, m store.Member) ([]byte, error) {
	if err := checkKDF(m.KDF); err != nil {
		return nil, err
	}
	release, err := b.slots.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return argon2IDKey(pin, m), nil
}

// argon2IDKey is the derivation itself, with m's parameters and salt.
func argon2IDKey(pin string, m store.Member) []byte {
	p := m.KDF
	return argon2.IDKey([]byte(pin), m.Salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
}

// checkKDF refuses stored parameters out of sane bounds.
func checkKDF(p store.KDFParams) error {
	if p.Time < 1 || p.Time > maxKDFTime || p.MemoryKiB < 8*uint32(max(p.Threads, 1)) || p.MemoryKiB > maxKDFMemoryKiB || p.Threads < 1 || p.Threads > maxKDFThreads {
		return fmt.Errorf("argon2id parameters out of range (time %d, memory %d KiB, threads %d)", p.Time, p.MemoryKiB, p.Threads)
	}
	return nil
}

// wrapKey seals the data key under kek, the key derived from the member's
// PIN.
func wrapKey(kek, dataKey []byte, nick string) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	return seal(aead, dataKey, adKey(nick)), nil
}

// unwrapKey opens m's data key with kek. A wrong PIN gives errAuth: the
// AEAD tag is the PIN check, so nothing derived from the PIN is stored.
func unwrapKey(kek []byte, m store.Member) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	key, err := open(aead, m.WrappedKey, adKey(m.Nick))
	if err != nil {
		return nil, err
	}
	if len(key) != keyLen {
		return nil, fmt.Errorf("an account's data key is %d bytes: the store is damaged", len(key))
	}
	return key, nil
}

// seal encrypts plaintext with a fresh random nonce: nonce || ciphertext.
// XChaCha20's 24-byte nonces are safe to pick at random for as many
// records as a member will ever write.
func seal(aead cipher.AEAD, plaintext, ad []byte) []byte {
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	rand.Read(out)
	return aead.Seal(out, out, plaintext, ad)
}

// open reverses seal; errAuth if the key or the associated data is wrong
// or the bytes were changed.
func open(aead cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errAuth
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, errAuth
	}
	return plain, nil
}

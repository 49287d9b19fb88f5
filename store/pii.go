package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// sealer encrypts personal data (phone and ID numbers) at rest with AES-256-GCM
// and derives a keyed hash so a number can be looked up without decrypting.
type sealer struct {
	aead    cipher.AEAD
	hashKey []byte
}

func newSealer(secret string) *sealer {
	encKey := sha256.Sum256([]byte("guanjia:pii:enc:" + secret))
	block, err := aes.NewCipher(encKey[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	hashKey := sha256.Sum256([]byte("guanjia:pii:hash:" + secret))
	return &sealer{aead: aead, hashKey: hashKey[:]}
}

// Seal encrypts plain; the empty string stays empty.
func (s *sealer) Seal(plain string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil))
}

// Open decrypts what Seal produced.
func (s *sealer) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("store: open sealed value: malformed")
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("store: open sealed value: %w", err)
	}
	return string(plain), nil
}

// Hash is a keyed, deterministic digest for equality lookups.
func (s *sealer) Hash(plain string) string {
	if plain == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.hashKey)
	m.Write([]byte(plain))
	return hex.EncodeToString(m.Sum(nil))
}

// Seal, Unseal and Hash are exported for the packages that keep personal data in their own tables.
func (s *DB) Seal(plain string) string             { return s.sealer.Seal(plain) }
func (s *DB) Unseal(sealed string) (string, error) { return s.sealer.Open(sealed) }
func (s *DB) Hash(plain string) string             { return s.sealer.Hash(plain) }

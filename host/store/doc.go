// Package store holds the files of kramers: the checkpoint file format (magic, format version,
// JSON header, particle data, SHA-256; EncodeCheckpoint, DecodeCheckpoint, ReadCheckpointFile,
// WriteCheckpointFile) and atomic writes (WriteFileAtomic: temporary file, fsync, rename).
//
// What a checkpoint is — the state of a run between two chunks, and when a run may continue from
// it — is the domain's (host.Checkpoint, host.Snapshot, Checkpoint.CheckResume, host.ExecuteFrom);
// this package only turns that state into bytes on disk and back, and verifies the bytes before it
// trusts them (host.CheckpointHeader.Validate for the header). It imports host and the standard
// library only.
package store

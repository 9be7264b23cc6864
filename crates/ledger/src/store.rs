//! The ledger file: an 8-byte file tag, then one frame per block:
//! `"VGBF" ‖ len (u32 BE) ‖ payload ‖ first 8 bytes of sha256(len ‖ payload)`.
//! Frames are only ever appended. A crash mid-write leaves an incomplete last frame (or a
//! zero-filled tail); opening cuts it back to the last whole frame and says how many bytes went.
//! Any other damage is an error, never repaired silently.

use std::{
    fs::{File, OpenOptions},
    io::{Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};

use crate::{Block, LedgerError, Result, record::be_u32};

/// First bytes of every ledger file.
pub const FILE_TAG: [u8; 8] = *b"VGLEDGR1";
const FRAME_TAG: [u8; 4] = *b"VGBF";
const FRAME_HEAD: usize = 8;
const CHECKSUM: usize = 8;
/// Largest block payload accepted when reading (guards against absurd lengths in bad files).
pub const MAX_FRAME_BYTES: usize = 1 << 30;

/// A whole, checksummed frame found in a ledger file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRef<'a> {
    /// Position of the frame in the file (0 = first block).
    pub index: u64,
    /// Byte offset of the frame.
    pub offset: u64,
    /// The block payload.
    pub payload: &'a [u8],
}

/// How the frame sequence ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEnd {
    /// At the end of the file, after a whole frame (or no frame).
    Clean,
    /// An incomplete or zero-filled last frame: what a crash mid-write leaves.
    Torn {
        /// Where the whole frames end.
        offset: u64,
        /// Bytes after that.
        bytes: u64,
    },
    /// Damage that a crash cannot explain.
    Corrupt {
        /// Frame index where reading stopped.
        index: u64,
        /// Its offset.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Result of splitting a ledger file into frames.
#[derive(Debug, Clone)]
pub struct FrameScan<'a> {
    /// Whole frames in file order.
    pub frames: Vec<FrameRef<'a>>,
    /// What follows them.
    pub end: FrameEnd,
}

fn checksum(len: &[u8], payload: &[u8]) -> [u8; CHECKSUM] {
    let mut hasher = Sha256::new();
    hasher.update(len);
    hasher.update(payload);
    let digest = hasher.finalize();
    let mut out = [0u8; CHECKSUM];
    out.copy_from_slice(&digest[..CHECKSUM]);
    out
}

/// Encodes one block as a frame.
pub fn encode_frame(block: &Block) -> Vec<u8> {
    let payload = block.encode();
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX).to_be_bytes();
    let mut out = Vec::with_capacity(FRAME_HEAD + payload.len() + CHECKSUM);
    out.extend_from_slice(&FRAME_TAG);
    out.extend_from_slice(&len);
    out.extend_from_slice(&payload);
    out.extend_from_slice(&checksum(&len, &payload));
    out
}

/// Splits a whole ledger file (file tag included) into frames. Errors only when the file tag
/// is wrong; damage after it is described by [`FrameScan::end`].
pub fn scan_frames(bytes: &[u8]) -> std::result::Result<FrameScan<'_>, String> {
    if bytes.len() < FILE_TAG.len() || bytes[..FILE_TAG.len()] != FILE_TAG {
        return Err("not a vigil ledger file (bad file tag)".into());
    }
    let mut frames = Vec::new();
    let mut pos = FILE_TAG.len();
    let end = loop {
        let index = frames.len() as u64;
        let rest = &bytes[pos..];
        if rest.is_empty() {
            break FrameEnd::Clean;
        }
        let torn = FrameEnd::Torn { offset: pos as u64, bytes: rest.len() as u64 };
        if rest.iter().all(|b| *b == 0) || rest.len() < FRAME_HEAD {
            break torn;
        }
        let corrupt = |reason: String| FrameEnd::Corrupt { index, offset: pos as u64, reason };
        if rest[..4] != FRAME_TAG {
            break corrupt("bad frame tag".into());
        }
        let len = be_u32(&rest[4..8]) as usize;
        if len > MAX_FRAME_BYTES {
            break corrupt(format!("frame length {len} exceeds the limit {MAX_FRAME_BYTES}"));
        }
        let total = FRAME_HEAD + len + CHECKSUM;
        if rest.len() < total {
            break torn;
        }
        let payload = &rest[FRAME_HEAD..FRAME_HEAD + len];
        if checksum(&rest[4..8], payload) != rest[FRAME_HEAD + len..total] {
            break corrupt("frame checksum mismatch".into());
        }
        frames.push(FrameRef { index, offset: pos as u64, payload });
        pos += total;
    };
    Ok(FrameScan { frames, end })
}

/// What opening a ledger file found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Whole blocks in the file.
    pub blocks: u64,
    /// Bytes of a torn last frame that were cut off (0 when the file was whole).
    pub truncated_bytes: u64,
    /// Where the file was cut, when it was.
    pub truncated_at: Option<u64>,
}

/// Reads a whole ledger file.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| LedgerError::io("read", path, e))
}

/// Reads every whole block of the ledger file at `path` (for tools; the writer and the
/// verifier read frames themselves).
pub fn read_blocks(path: &Path) -> Result<Vec<Block>> {
    let bytes = read_file(path)?;
    let corrupt = |offset: u64, reason: String| LedgerError::Corrupt {
        path: path.to_owned(),
        offset,
        reason,
    };
    let scan = scan_frames(&bytes).map_err(|reason| corrupt(0, reason))?;
    scan.frames
        .iter()
        .map(|f| Block::decode(f.payload).map_err(|e| corrupt(f.offset, e.to_string())))
        .collect()
}

/// Writes `blocks` as a new ledger file at `path` (used to materialise simulated attacks).
pub fn write_blocks(path: &Path, blocks: &[Block]) -> Result<()> {
    let mut out = FILE_TAG.to_vec();
    for block in blocks {
        out.extend_from_slice(&encode_frame(block));
    }
    std::fs::write(path, out).map_err(|e| LedgerError::io("write", path, e))
}

/// The append-only ledger file.
#[derive(Debug)]
pub struct BlockStore {
    file: File,
    path: PathBuf,
    end: u64,
    fsync: bool,
}

impl BlockStore {
    /// Opens (or creates) `path`, cuts a torn tail, and returns the store with its last block.
    pub fn open(path: &Path, fsync: bool) -> Result<(BlockStore, Option<Block>, OpenReport)> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| LedgerError::io("open", path, e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| LedgerError::io("read", path, e))?;
        let corrupt = |offset: u64, reason: String| LedgerError::Corrupt {
            path: path.to_owned(),
            offset,
            reason,
        };
        if bytes.is_empty() {
            file.write_all(&FILE_TAG).map_err(|e| LedgerError::io("initialise", path, e))?;
            file.sync_all().map_err(|e| LedgerError::io("sync", path, e))?;
            let store = BlockStore { file, path: path.to_owned(), end: 8, fsync };
            return Ok((store, None, OpenReport::default()));
        }
        let scan = scan_frames(&bytes).map_err(|reason| corrupt(0, reason))?;
        let mut report = OpenReport { blocks: scan.frames.len() as u64, ..OpenReport::default() };
        let end = match scan.end {
            FrameEnd::Clean => bytes.len() as u64,
            FrameEnd::Torn { offset, bytes: cut } => {
                report.truncated_bytes = cut;
                report.truncated_at = Some(offset);
                offset
            }
            FrameEnd::Corrupt { index, offset, reason } => {
                return Err(corrupt(offset, format!("block {index}: {reason}")));
            }
        };
        let last = match scan.frames.last() {
            Some(frame) => Some(
                Block::decode(frame.payload)
                    .map_err(|e| corrupt(frame.offset, format!("block {}: {e}", frame.index)))?,
            ),
            None => None,
        };
        if report.truncated_bytes > 0 {
            file.set_len(end).map_err(|e| LedgerError::io("truncate torn tail of", path, e))?;
            file.sync_all().map_err(|e| LedgerError::io("sync", path, e))?;
            tracing::warn!(path = %path.display(), bytes = report.truncated_bytes, offset = end,
                "cut a torn tail from the ledger file");
        }
        file.seek(SeekFrom::Start(end)).map_err(|e| LedgerError::io("seek", path, e))?;
        Ok((BlockStore { file, path: path.to_owned(), end, fsync }, last, report))
    }

    /// Appends one block; durable on return when `fsync` is on.
    pub fn append(&mut self, block: &Block) -> Result<()> {
        let frame = encode_frame(block);
        if let Err(e) = self.file.write_all(&frame) {
            // Leave no half frame behind when the write failed cleanly.
            let _ = self.file.set_len(self.end);
            let _ = self.file.seek(SeekFrom::Start(self.end));
            return Err(LedgerError::io("append to", &self.path, e));
        }
        if self.fsync {
            self.file.sync_data().map_err(|e| LedgerError::io("sync", &self.path, e))?;
        }
        self.end += frame.len() as u64;
        Ok(())
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Current file length in bytes.
    pub fn len(&self) -> u64 {
        self.end
    }

    /// Whether the file holds no block.
    pub fn is_empty(&self) -> bool {
        self.end <= FILE_TAG.len() as u64
    }
}

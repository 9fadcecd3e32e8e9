//! Reader of AMPL `.nl` files (text and binary) into the expression tape.
//!
//! The file is read into memory once; a hand-written scanner decodes it without
//! allocating per token, and expressions are parsed with an explicit stack.

mod binary;
pub mod error;
pub mod eval;
mod expr;
pub mod fmt;
pub mod header;
pub mod model;
mod reader;
mod source;
pub mod tape;
mod text;
pub mod write;

use std::path::Path;

pub use error::{ErrorKind, Location, ReadError};
pub use header::{ByteOrder, Format, Header};
pub use model::Model;

/// Reads the `.nl` file at `path`.
pub fn read_file(path: &Path) -> Result<Model, ReadError> {
    let name = path.display().to_string();
    let data = std::fs::read(path).map_err(|e| ReadError {
        file: name.clone(),
        location: Location::File,
        kind: ErrorKind::Io(e.to_string()),
    })?;
    read_bytes(&name, &data)
}

/// Reads a `.nl` file held in memory; `name` names it in error messages.
pub fn read_bytes(name: &str, data: &[u8]) -> Result<Model, ReadError> {
    let h = header::parse_header(name, data)?;
    match h.format {
        Format::Text => {
            let mut src = text::TextSource::new(name, data, h.body_start, 11);
            reader::read_segments(&mut src, name, h.header, h.format)
        }
        Format::Binary(order) => {
            let mut src = binary::BinarySource::new(name, data, h.body_start, order);
            reader::read_segments(&mut src, name, h.header, h.format)
        }
    }
}

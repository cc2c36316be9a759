//! Parse feed files and print what ajil sees: `cargo run -p ajil-parse --example parse_file -- FILE [CONTENT-TYPE]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_file FILE [CONTENT-TYPE]");
        std::process::exit(2);
    };
    let content_type = args.next();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    match ajil_parse::parse_feed(&bytes, content_type.as_deref()) {
        Ok(feed) => println!("{feed:#?}"),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}

//! Links the extension with `-Bsymbolic`: calls inside it to a function it
//! defines (the elementary functions of `pathconf_core::elementary_functions!`)
//! bind to its own definition, not to the one the interpreter loaded first.

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-Bsymbolic");
}

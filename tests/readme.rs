//! The README's quick example is the crate-level doc example, line for line.

fn readme_example() -> Vec<String> {
    let readme = include_str!("../README.md");
    let start = readme.find("```rust\n").expect("README has a rust block") + "```rust\n".len();
    let len = readme[start..].find("```").unwrap();
    readme[start..start + len].lines().map(str::to_owned).collect()
}

fn crate_doc_example() -> Vec<String> {
    let lib = include_str!("../src/lib.rs");
    let docs: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let start = docs.iter().position(|l| *l == "```").expect("crate docs have an example") + 1;
    let len = docs[start..].iter().position(|l| *l == "```").unwrap();
    docs[start..start + len].iter().map(|l| (*l).to_owned()).collect()
}

#[test]
fn readme_example_is_the_crate_doc_example() {
    let (readme, docs) = (readme_example(), crate_doc_example());
    assert!(readme.len() > 5);
    assert_eq!(readme, docs);
}

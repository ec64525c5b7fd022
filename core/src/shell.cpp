#include "runwell/shell.hpp"

namespace runwell {

std::string shell_quote(const std::string& word) {
    bool plain = !word.empty();
    for (char c : word) {
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == '/' || c == ':' || c == '=' || c == '@' || c == '%' || c == '+' || c == ',' || c == '-';
        if (!safe) { plain = false; break; }
    }
    if (plain) return word;
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

ShellLine& ShellLine::arg(const std::string& word) {
    words_.push_back({shell_quote(word), word, false});
    return *this;
}

ShellLine& ShellLine::args(const std::vector<std::string>& words) {
    for (const std::string& w : words) arg(w);
    return *this;
}

ShellLine& ShellLine::literal(const ShellLiteral& l) {
    words_.push_back({l.text, l.word, false});
    return *this;
}

std::string shown_word(const std::string& word) {
    if (word == ">") return word;
    for (const ShellLiteral& l : {kCurrentFolderMount, kLlamaCacheMount})
        if (word == l.word) return l.text;
    return shell_quote(word);
}

ShellLine& ShellLine::redirect_to(const std::string& file) {
    words_.push_back({">", ">", true});
    return arg(file);
}

ShellLine& ShellLine::comment(const std::string& text) {
    comment_ = text;
    return *this;
}

std::string ShellLine::text() const {
    std::string out;
    for (const ShellWord& w : words_) out += (out.empty() ? "" : " ") + w.text;
    if (!comment_.empty()) {
        std::string safe;  // a comment ends at a newline: keep it on one line whatever it holds
        for (char c : comment_) safe += (c == '\n' || c == '\r') ? ' ' : c;
        out += (out.empty() ? "# " : "  # ") + safe;
    }
    return out;
}

std::vector<std::string> ShellLine::argv() const {
    std::vector<std::string> out;
    for (const ShellWord& w : words_) out.push_back(w.word);
    return out;
}

}  // namespace runwell

// Run commands as data: each line is a list of words, quoted for a POSIX shell
// when rendered, so no catalog value or user input can become shell syntax.
#pragma once
#include <string>
#include <vector>

namespace runwell {

// The word as a POSIX shell reads it back: unchanged when it holds only
// [A-Za-z0-9_./:=@%+,-] (and is not empty), otherwise in single quotes.
std::string shell_quote(const std::string& word);

// Shell text runwell writes itself (a variable the user's shell expands), with the word it
// becomes there as the argv shows it. The only places a command is not a quoted word.
struct ShellLiteral {
    const char* text;
    const char* word;
};
inline constexpr ShellLiteral kCurrentFolderMount = {"\"$PWD\":/models", "$PWD:/models"};
inline constexpr ShellLiteral kLlamaCacheMount = {"\"$HOME/.cache/llama.cpp\":/root/.cache/llama.cpp",
                                                  "$HOME/.cache/llama.cpp:/root/.cache/llama.cpp"};
// How a word of an argv appears in the command text: a runwell literal or redirection as written,
// anything else shell-quoted.
std::string shown_word(const std::string& word);

struct ShellWord {
    std::string text;  // what the shell line shows
    std::string word;  // what the shell passes as the argument ("" for an operator)
    bool op = false;   // a redirection written by runwell itself (">")
};

class ShellLine {
public:
    ShellLine& arg(const std::string& word);
    ShellLine& args(const std::vector<std::string>& words);
    // Shell text written by runwell itself: only string literals, never data.
    ShellLine& literal(const ShellLiteral& l);
    ShellLine& redirect_to(const std::string& file);  // "> file"
    ShellLine& comment(const std::string& text);      // a trailing "# ..." (display only; text is a validated id)
    std::string text() const;
    std::vector<std::string> argv() const;  // the words a shell would pass (operators kept as ">")
    bool empty() const { return words_.empty() && comment_.empty(); }

private:
    std::vector<ShellWord> words_;
    std::string comment_;
};

}  // namespace runwell

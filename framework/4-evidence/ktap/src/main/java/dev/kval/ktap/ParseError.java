package dev.kval.ktap;

/** A parse problem at a 1-based input line. */
public record ParseError(int line, String message) {
    @Override
    public String toString() {
        return "line " + line + ": " + message;
    }
}

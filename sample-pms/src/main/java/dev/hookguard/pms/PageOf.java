package dev.hookguard.pms;

import java.util.List;

/** One page of a list, shaped as Spring Data's pages are serialised. */
public record PageOf<T>(List<T> content, int page, int size, long totalElements, int totalPages) {

    static final int DEFAULT_SIZE = 20;
    static final int MAX_SIZE = 200;

    static int size(Integer requested) {
        return requested == null ? DEFAULT_SIZE : Math.max(1, Math.min(requested, MAX_SIZE));
    }

    static int page(Integer requested) {
        return requested == null ? 0 : Math.max(0, requested);
    }

    static <T> PageOf<T> of(List<T> content, int page, int size, long total) {
        return new PageOf<>(content, page, size, total, (int) ((total + size - 1) / size));
    }

    public boolean hasNext() {
        return page + 1 < totalPages;
    }

    public boolean hasPrevious() {
        return page > 0;
    }
}

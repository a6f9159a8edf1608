// Type-level twin of naming.ts: relation names and targets derived from ref columns, so that
// include() and hopTo() are typed. Keep in step with naming.ts.

import type { AnyColumn } from "./columns.ts";
import type { SchemaDef } from "./types.ts";

type Vowel = "a" | "e" | "i" | "o" | "u";

export type StripFkSuffix<C extends string> = C extends `${infer P}_ids`
  ? P
  : C extends `${infer P}Ids`
    ? P
    : C extends `${infer P}_id`
      ? P
      : C extends `${infer P}Id`
        ? P
        : C;

export type Pluralize<W extends string> = W extends `${string}${"ss" | "us" | "x" | "z" | "ch" | "sh"}`
  ? `${W}es`
  : W extends `${string}s`
    ? W
    : W extends `${string}${Vowel}y`
      ? `${W}s`
      : W extends `${infer P}y`
        ? P extends ""
          ? `${W}s`
          : `${P}ies`
        : `${W}s`;

export type ForwardName<C extends string, IsArray extends boolean> = IsArray extends true
  ? Pluralize<StripFkSuffix<C>>
  : StripFkSuffix<C>;

/** The referenced table of a ref (or array-of-ref) column; never for other columns. */
export type RefOf<C extends AnyColumn> = [C["_ref"]] extends [never] ? never : C["_ref"];
type IsArrayColumn<C extends AnyColumn> = C["_kind"] extends "array" ? true : false;

type Cols<S extends SchemaDef, T extends keyof S> = S[T]["columns"];

export interface RelationMeta<Target extends string = string, Many extends boolean = boolean, Nullable extends boolean = boolean> {
  target: Target;
  many: Many;
  nullable: Nullable;
}

export type ForwardRelations<S extends SchemaDef, T extends keyof S> = {
  [C in keyof Cols<S, T> & string as [RefOf<Cols<S, T>[C]>] extends [never]
    ? never
    : RefOf<Cols<S, T>[C]> extends keyof S
      ? ForwardName<C, IsArrayColumn<Cols<S, T>[C]>>
      : never]: RelationMeta<
    RefOf<Cols<S, T>[C]>,
    IsArrayColumn<Cols<S, T>[C]>,
    Cols<S, T>[C]["_optional"]
  >;
};

/** Every ref column of the schema as { name (reverse), source, target }; computed once per S. */
type AllRefs<S extends SchemaDef> = {
  [U in keyof S & string]: {
    [C in keyof Cols<S, U> & string]: [RefOf<Cols<S, U>[C]>] extends [never]
      ? never
      : { name: `${U}Via${Capitalize<ForwardName<C, IsArrayColumn<Cols<S, U>[C]>>>}`; source: U; target: RefOf<Cols<S, U>[C]> };
  }[keyof Cols<S, U> & string];
}[keyof S & string];

export type ReverseRelations<S extends SchemaDef, T extends keyof S> = {
  [E in Extract<AllRefs<S>, { target: T }> as E["name"]]: RelationMeta<E["source"], true, false>;
};

/** Every relation readable from table T, by name. */
export type Relations<S extends SchemaDef, T extends keyof S> = ForwardRelations<S, T> & ReverseRelations<S, T>;

export type RelationName<S extends SchemaDef, T extends keyof S> = keyof Relations<S, T> & string;

export type RelationTarget<S extends SchemaDef, T extends keyof S, R extends RelationName<S, T>> =
  Relations<S, T>[R] extends RelationMeta<infer Target> ? Target & keyof S & string : never;

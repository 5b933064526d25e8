  BEGIN
    SELECT FILM_T(
      f.film_id,
      f.title,
      f.description,
      f.release_year,
      NVL2(l1.language_id,
        LANGUAGE_T(
          l1.language_id,
          l1.name,
          l1.last_update
        ),
        NULL
      ),
      NVL2(l2.language_id, 
        LANGUAGE_T(
          l2.language_id,
          l2.name,
          l2.last_update
        ),
        NULL
      ),
      f.rental_duration,
      f.rental_rate,
      f.length,
      f.replacement_cost,
      f.rating,
      f.special_features,
      f.last_update
    )
    BULK COLLECT INTO v_result
    FROM film f
    LEFT JOIN language l1 ON f.language_id = l1.language_id
    LEFT JOIN language l2 ON f.original_language_id = l2.language_id;
    
    RETURN v_result;
  END GET_FILMS;
  
  FUNCTION GET_CUSTOMER_RENTAL_HISTORY(p_customer_id INT) RETURN CUSTOMER_RENTAL_HISTORY_T IS
  BEGIN
    RETURN GET_CUSTOMER_RENTAL_HISTORY(GET_CUSTOMER(p_customer_id));
  END GET_CUSTOMER_RENTAL_HISTORY;
  
  FUNCTION GET_CUSTOMER_RENTAL_HISTORY(p_customer CUSTOMER_T) RETURN CUSTOMER_RENTAL_HISTORY_T IS
    v_films FILMS_T;
  BEGIN
    SELECT GET_FILM(f.film_id)
    BULK COLLECT INTO v_films
    FROM (
      SELECT DISTINCT f.film_id
      FROM film f
      LEFT JOIN inventory i ON i.film_id = f.film_id
      LEFT JOIN rental r ON r.inventory_id = i.inventory_id
      WHERE r.customer_id = p_customer.customer_id
    ) f
    ORDER BY f.film_id;
  
    RETURN CUSTOMER_RENTAL_HISTORY_T(
      p_customer,
      v_films
    );
  END GET_CUSTOMER_RENTAL_HISTORY;
  
  FUNCTION GET_FILM_INFO(p_film_id INT) RETURN FILM_INFO_T IS
  BEGIN
    RETURN GET_FILM_INFO(GET_FILM(p_film_id));
  END GET_FILM_INFO;
  
  FUNCTION GET_FILM_INFO(p_film FILM_T) RETURN FILM_INFO_T IS
    v_actors ACTORS_T;
    v_categories CATEGORIES_T;
  BEGIN
    SELECT ACTOR_T(
      a.actor_id,
      a.first_name,
      a.last_name,
      a.last_update
    )
    BULK COLLECT INTO v_actors
    FROM actor a
    JOIN film_actor fa ON fa.actor_id = a.actor_id
    WHERE fa.film_id = p_film.film_id
    ORDER BY a.actor_id;
    
    SELECT CATEGORY_T(
      c.category_id,
      c.name,
      c.last_update
    )
    BULK COLLECT INTO v_categories
    FROM category c
    JOIN film_category fc ON fc.category_id = c.category_id
    WHERE fc.film_id = p_film.film_id
    ORDER BY c.category_id;
    
    RETURN FILM_INFO_T(
      p_film,
      v_actors,
      v_categories
    );
  END GET_FILM_INFO;
  
END RENTALS;
/

CREATE PACKAGE customers AS
  TYPE person IS RECORD (
    first_name VARCHAR2(50),
    last_name VARCHAR2(50)
  );
  
  FUNCTION get_customer(p_customer_id NUMBER) RETURN person;
END customers;
/

CREATE PACKAGE BODY customers AS
  FUNCTION get_customer(p_customer_id NUMBER) RETURN person IS
    v_person customers.person;
  BEGIN
    SELECT c.first_name, c.last_name
    INTO v_person
    FROM customer c
    WHERE c.customer_id = p_customer_id;
    
    RETURN v_person;
  END get_customer;
END customers;
/